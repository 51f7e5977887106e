"""The layout the README describes: small modules, thin commands, one writer, one error base."""

from __future__ import annotations

import ast
import re
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


def _tree(path: Path) -> ast.Module:
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
    elsewhere = [f"{p}:{name}" for p, name in _exception_classes() if p != "geo/_errors.py"]
    assert not elsewhere, f"define these in geo/_errors.py: {elsewhere}"


def test_every_exception_derives_from_one_base() -> None:
    import geo._errors as errors

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

    try:
        importlib.import_module(name)
        return True
    except ModuleNotFoundError:
        parent, _, attr = name.rpartition(".")
        return bool(parent) and hasattr(importlib.import_module(parent), attr)


def test_readme_names_only_existing_modules() -> None:
    gone = [m for m in sorted(_readme_modules()) if not _exists(m)]
    assert not gone, f"README names modules that do not exist: {gone}"
