"""Every error the package raises is one of its own: a walk over the source of geo/.

A ``raise`` must name a class of :mod:`geo.errors` that derives from
:class:`~geo.errors.GeoError` (each also derives from the built-in it stands for, so
``except ValueError`` keeps working). The class is found from the statement alone:
``raise X(...)`` and ``raise X(...) from e`` name ``X`` (imported under any name, or
as ``errors.X``); ``raise helper(...)`` names the class ``helper`` is annotated to
return; ``raise error(...)`` names the class of a parameter annotated ``type[X]``. A
bare ``raise`` and ``raise exc`` of a name bound by ``except ... as exc`` pass on an
error already raised and are allowed.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import geo
from geo import errors as _errors

PACKAGE = Path(geo.__file__).resolve().parent
#: The toolkit's error classes, by name.
OWN = {
    name
    for name, obj in vars(_errors).items()
    if inspect.isclass(obj) and issubclass(obj, _errors.GeoError)
}


def _class_name(node: ast.expr | None, imported: dict[str, str]) -> str | None:
    """The class an expression or annotation names, as its name in geo.errors."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted annotation
        return _class_name(ast.parse(node.value, mode="eval").body, imported)
    if isinstance(node, ast.Name):
        return imported.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _scopes(tree: ast.Module) -> Iterator[tuple[ast.AST, list[ast.AST]]]:
    """Every node with the functions it lies in, innermost last."""
    stack: list[tuple[ast.AST, list[ast.AST]]] = [(tree, [])]
    while stack:
        node, outer = stack.pop()
        yield node, outer
        inner = (
            [*outer, node] if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else outer
        )
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _violations(path: Path) -> tuple[int, list[str]]:
    """The number of ``raise`` statements in ``path`` and those raising no GeoError."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    returns = {
        node.name: _class_name(node.returns, imported)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    count, bad = 0, []
    for node, functions in _scopes(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue  # a bare raise passes the current error on
        count += 1
        scope = functions[-1] if functions else tree
        caught = {h.name for h in ast.walk(scope) if isinstance(h, ast.ExceptHandler) and h.name}
        if isinstance(node.exc, ast.Name) and node.exc.id in caught:
            continue  # re-raising what an except clause bound
        func = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = _class_name(func, imported)
        if isinstance(func, ast.Name) and func.id in returns and name not in OWN:
            name = returns[func.id]  # a helper that builds the error
        own_method = isinstance(func, ast.Attribute) and ast.unparse(func.value) == "self"
        if own_method and func.attr in returns and name not in OWN:
            name = returns[func.attr]  # a method of the class that builds the error
        params = [a for f in functions for a in (*f.args.args, *f.args.kwonlyargs)]
        for arg in params:  # an error class passed in: error: type[X] = X
            if isinstance(func, ast.Name) and arg.arg == func.id:
                ann = arg.annotation
                if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
                    ann = ast.parse(ann.value, mode="eval").body
                if isinstance(ann, ast.Subscript):
                    name = _class_name(ann.slice, imported)
        if name not in OWN:
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            bad.append(f"{where}: raises {ast.unparse(func)} ({name or 'unknown'})")
    return count, bad


def test_every_raise_in_the_package_is_a_geo_error():
    count, bad = 0, []
    for path in sorted(PACKAGE.rglob("*.py")):
        found, wrong = _violations(path)
        count += found
        bad += wrong
    assert count > 100, f"the walk found only {count} raise statements"  # it did walk geo/
    bad.sort(key=lambda line: (line.split(":")[0], int(line.split(":")[1])))
    assert not bad, (
        "raise a class of geo/errors.py deriving from GeoError (and from the built-in "
        "it replaces):\n" + "\n".join(bad)
    )
