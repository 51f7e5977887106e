"""The layout the README describes: small modules, thin commands, one writer, one error base."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "geo"
MAX_LINES = 600

#: What a command module may not do itself: draw, write files, or parse geometry.
_LIBRARY_IMPORTS = {
    "folium",
    "branca",
    "matplotlib",
    "shapely",
    "pyogrio",
    "fiona",
    "html",
    "difflib",
}
_LIBRARY_CALLS = {"open", "write_text", "write_bytes", "to_file", "to_csv", "mkdir", "savefig"}


def _modules() -> list[Path]:
    return sorted(p for p in GEO.rglob("*.py") if "__pycache__" not in p.parts)


@functools.cache
def _tree(path: Path) -> ast.Module:
    """The syntax tree of a module, parsed once per run (the tests only read it)."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path: Path) -> None:
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(ROOT)} has {n} lines; split it by concern"


def _calls_os_replace(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "replace"
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name == "replace" for a in node.names)
        ):
            return True
    return False


def test_one_module_calls_os_replace() -> None:
    callers = [str(p.relative_to(ROOT)) for p in _modules() if _calls_os_replace(_tree(p))]
    assert callers == ["geo/_io.py"]


def _cli_modules() -> list[Path]:
    return sorted((GEO / "cli").glob("cmd_*.py"))


@pytest.mark.parametrize("path", _cli_modules(), ids=lambda p: p.name)
def test_command_only_parses_and_prints(path: Path) -> None:
    tree = _tree(path)
    bad: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bad += [a.name for a in node.names if a.name.split(".")[0] in _LIBRARY_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in _LIBRARY_IMPORTS:
                bad.append(node.module)
            if node.module == "geo.cli":  # the package imports the commands: no loop back
                bad += [f"geo.cli.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name == "open" and isinstance(f, ast.Attribute):
                continue  # a method such as Project.open, not the built-in
            if name in _LIBRARY_CALLS:
                bad.append(f"{name}() at line {node.lineno}")
    assert not bad, f"{path.name} does library work: {bad}"


def _exception_classes() -> list[tuple[str, str]]:
    found = []
    for path in _modules():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if any(re.search(r"(Error|Exception|Warning)$", b) for b in bases):
                    found.append((str(path.relative_to(ROOT)), node.name))
    return found


def test_every_exception_class_lives_in_errors_module() -> None:
    elsewhere = [f"{p}:{name}" for p, name in _exception_classes() if p != "geo/errors.py"]
    assert not elsewhere, f"define these in geo/errors.py: {elsewhere}"


def test_every_exception_derives_from_one_base() -> None:
    import geo.errors as errors

    classes = [
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    ]
    assert classes, "no exception classes found"
    loose = [c.__name__ for c in classes if not issubclass(c, (errors.GeoError, errors.GeoWarning))]
    assert not loose, f"derive these from GeoError or GeoWarning: {loose}"


def _readme_modules() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"`(geo(?:\.[a-z_]+)+)", text))


def test_readme_architecture_names_every_module() -> None:
    named = _readme_modules()
    missing = []
    for path in _modules():
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) < 2 or parts[1] in {"cli", "__main__", "py"}:
            continue
        top = ".".join(parts[:2])  # a package counts as named when the package is
        if top not in named and ".".join(parts) not in named:
            missing.append(".".join(parts))
    assert not missing, f"README's architecture table does not name: {missing}"


def _exists(name: str) -> bool:
    import importlib
    import importlib.util

    try:  # find_spec does not run the module (geo.__main__ would run the CLI)
        if importlib.util.find_spec(name) is not None:
            return True
    except ModuleNotFoundError:
        pass
    parent, _, attr = name.rpartition(".")
    return bool(parent) and _exists(parent) and hasattr(importlib.import_module(parent), attr)


def test_readme_names_only_existing_modules() -> None:
    gone = [m for m in sorted(_readme_modules()) if not _exists(m)]
    assert not gone, f"README names modules that do not exist: {gone}"


# --------------------------------------------------------------------------- floors and circles
_ROW = re.compile(r"^\| (\d+) \| ([^|]+?) \| ([^|]+?) \| ")


def _floors() -> dict[str, tuple[int, str]]:
    """Return each room's modules (their dotted prefix) -> (floor, room), from the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: dict[str, tuple[int, str]] = {}
    for line in text.splitlines():
        m = _ROW.match(line)
        if m:
            floor, room, cell = int(m.group(1)), m.group(2).strip(), m.group(3)
            cell = re.sub(r"\([^)]*\)", "", cell)  # a room's short module names
            for name in re.findall(r"`(geo(?:\.[A-Za-z_]+)*)`", cell):
                out[name] = (floor, room)
    return out


def _module_names() -> dict[str, Path]:
    names = {}
    for path in _modules():
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _known(name: str, names: Iterable[str]) -> str | None:
    while name and name not in names:
        name = name.rpartition(".")[0]
    return name or None


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Every module's imports of other ``geo`` modules, those made inside functions too.

    Built once per run; the tests only read it.
    """
    names = _module_names()
    graph: dict[str, set[str]] = {n: set() for n in names}
    for mod, path in names.items():
        for node in ast.walk(_tree(path)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                raise AssertionError(f"{path}: relative import; write it absolute")
            for t in targets:
                found = _known(t, names) if t.split(".")[0] == "geo" else None
                if found and found != mod:
                    graph[mod].add(found)
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def upward(graph: Mapping[str, Iterable[str]], floors: Mapping[str, tuple[int, str]]) -> list[str]:
    """Return every import of a module on a higher floor or in a neighbouring room."""
    bad = []
    for a, targets in sorted(graph.items()):
        fa, ra = floors[_known(a, floors) or ""]
        for b in sorted(targets):
            fb, rb = floors[_known(b, floors) or ""]
            if rb != ra and fb >= fa:
                bad.append(f"{a} (floor {fa}, {ra}) imports {b} (floor {fb}, {rb})")
    return bad


def test_the_cycle_finder_finds_a_circle_hidden_in_a_function() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    floors = {"x": (1, "low"), "y": (2, "high"), "z": (2, "side")}
    assert upward({"x": {"y"}, "y": {"x", "z"}, "z": set()}, floors) == [
        "x (floor 1, low) imports y (floor 2, high)",
        "y (floor 2, high) imports z (floor 2, side)",
    ]


def test_the_graph_counts_imports_made_inside_functions() -> None:
    graph = import_graph()
    names = _module_names()
    inside = [
        (mod, t)
        for mod, path in names.items()
        for fn in ast.walk(_tree(path))
        if isinstance(fn, ast.FunctionDef)
        for node in ast.walk(fn)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geo.")
        for alias in node.names
        for t in [_known(f"{node.module}.{alias.name}", names)]
        if t and t != mod
    ]
    assert inside, "no function-level imports found: the walk is broken"
    missing = [(mod, t) for mod, t in inside if t not in graph[mod]]
    assert not missing, missing


def test_no_import_circles() -> None:
    found = cycles(import_graph())
    assert not found, f"import circles (imports inside functions counted): {found}"


def test_no_import_runs_up_or_across() -> None:
    floors = _floors()
    graph = import_graph()
    homeless = [m for m in graph if _known(m, floors) is None]
    assert not homeless, f"modules on no floor of README's architecture table: {homeless}"
    bad = upward(graph, floors)
    assert not bad, "imports against the floors of README's architecture table:\n" + "\n".join(bad)


def test_top_level_holds_only_the_short_list() -> None:
    floors = _floors()
    allowed = {n for n, (floor, _) in floors.items() if floor == 1 or n == "geo.project"}
    allowed |= {"geo", "geo.__main__"}
    top = {n for n in _module_names() if n.count(".") == 1 and not (GEO / n[4:]).is_dir()}
    assert top - allowed == set(), f"top-level modules outside the README's list: {top - allowed}"


def test_printing_never_imports_maps() -> None:
    graph = import_graph()
    bad = sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        if a.startswith("geo.printing")
        for b in targets
        if b.startswith("geo.maps")
    )
    assert not bad, bad
