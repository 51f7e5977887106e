"""Docstrings describe; the annotations type. A Parameters entry names, it does not type."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_HEADER = re.compile(r"^(Parameters|Attributes|Other Parameters)\n-{3,}$", re.M)
_TYPED = re.compile(r"^(\*{0,2}[A-Za-z_]\w*(?:, \*{0,2}[A-Za-z_]\w*)*) : \S")


def typed_entries(doc: str) -> list[str]:
    """Return the entries of a numpydoc docstring's parameter sections that carry a type."""
    found = []
    for match in _HEADER.finditer(doc):
        body = doc[match.end() :].split("\n")[1:]
        for line in body:
            if not line or line.startswith(" "):
                continue  # a description line
            if re.match(r"^[A-Z][a-z]+( [A-Z][a-z]+)?$", line):
                break  # the next section
            if _TYPED.match(line):
                found.append(line)
    return found


def test_the_check_finds_a_typed_entry() -> None:
    doc = (
        "Sum.\n\nParameters\n----------\na : int\n    One.\nb\n    Two.\n\nReturns\n-------\nint\n"
    )
    assert typed_entries(doc) == ["a : int"]


def test_no_docstring_repeats_an_annotation() -> None:
    typed = []
    for path in sorted((ROOT / "geo").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                doc = ast.get_docstring(node) or ""
                typed += [f"{path.relative_to(ROOT)}:{node.name}: {e}" for e in typed_entries(doc)]
    assert not typed, "give the type in the annotation only:\n" + "\n".join(typed[:20])
