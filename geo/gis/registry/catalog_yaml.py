"""Round-trip editing of the catalog's YAML: comments, key order and quoting kept.

The catalog is edited with :mod:`ruamel.yaml` in round-trip mode, so everything a
person wrote in ``catalog.yaml`` (comments, blank lines, key order, quoted strings,
``[1, 2]`` lists) is written back as it was, and only the entry that changes is
new. Comment lines that follow the last entry of the list belong with what comes
after it, so they stay below a new entry appended to the list.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

__all__ = ["round_trip_with_entry"]

#: (mapping, sequence, offset) indentations tried, in this order, to reproduce the
#: text; the first is this project's catalog style (``  - id:`` under ``layers:``).
INDENTS: tuple[tuple[int, int, int], ...] = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4))
#: Lines longer than this are never folded (long provenance texts stay on one line).
WIDTH = 1_000_000


def _yaml(indent: tuple[int, int, int]) -> YAML:
    from ruamel.yaml import YAML

    out = YAML(typ="rt")
    out.preserve_quotes = True
    out.width = WIDTH
    out.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return out


def _dump(yml: YAML, data: Any) -> str:
    buf = io.StringIO()
    yml.dump(data, buf)
    return buf.getvalue()


def _load(text: str) -> tuple[YAML, Any]:
    """Load ``text`` with the indentation that writes it back unchanged (else the first)."""
    for indent in INDENTS:
        yml = _yaml(indent)
        data = yml.load(text)
        if _dump(yml, data) == text:
            return yml, data
    yml = _yaml(INDENTS[0])
    return yml, yml.load(text)


def _node(value: Any) -> Any:
    """Convert plain data to round-trip nodes: lists of scalars flow, the rest block."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _node(item)
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_node(v) for v in value)
        if not any(isinstance(v, Mapping | list | tuple) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _last_slot(node: CommentedMap | CommentedSeq) -> tuple[Any, Any] | None:
    """Return (container, key) of the last value written in a block node, or None."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    slot = None
    while isinstance(node, CommentedMap | CommentedSeq) and len(node) and not node.fa.flow_style():
        key = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        slot = (node, key)
        node = node[key]
    return slot


def _comment_index(container: Any) -> int:
    """Where ruamel keeps the comment after a value: 2 in a map's slots, 0 in a list's."""
    from ruamel.yaml.comments import CommentedMap

    return 2 if isinstance(container, CommentedMap) else 0


def _take_following_lines(node: CommentedMap | CommentedSeq) -> str:
    """Detach the blank and comment lines that follow ``node``; keep its end-of-line comment."""
    slot = _last_slot(node)
    if slot is None:
        return ""
    container, key = slot
    tokens = container.ca.items.get(key)
    i = _comment_index(container)
    token = tokens[i] if tokens and len(tokens) > i else None
    if token is None or "\n" not in token.value:
        return ""
    head, _, rest = token.value.partition("\n")
    if head.strip():
        token.value = head + "\n"
    else:
        tokens[i] = None
    return rest


def _put_following_lines(node: CommentedMap | CommentedSeq, lines: str) -> None:
    """Write ``lines`` (blank and comment lines) after ``node``."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    slot = _last_slot(node)
    if not lines or slot is None:
        return
    container, key = slot
    i = _comment_index(container)
    tokens = container.ca.items.setdefault(key, [None] * (i + 2))
    token = tokens[i]
    if token is None:
        tokens[i] = CommentToken("\n" + lines, CommentMark(0), None)
    else:
        token.value = token.value.rstrip("\n") + "\n" + lines


def _update(old: CommentedMap, entry: Mapping[str, Any]) -> None:
    """Make ``old`` hold exactly ``entry``, keeping its key order and unchanged values."""
    for key in [k for k in old if k not in entry]:
        del old[key]
    for key, value in entry.items():
        if key not in old or old[key] != value:
            old[key] = _node(value)


def round_trip_with_entry(text: str, entry: Mapping[str, Any], replace: bool) -> str | None:
    """Return the catalog text with ``entry`` appended to ``layers`` or replacing its namesake.

    Parameters
    ----------
    text
        The current catalog text (already known to be a valid catalog).
    entry
        The new entry; it must have an ``id``.
    replace
        Replace the entry with the same id (it must exist) instead of appending.

    Returns
    -------
    str or None
        The new text, every line outside the changed entry as it was; None when the
        text cannot be read for a round trip (e.g. a key given twice).
    """
    from ruamel.yaml.error import YAMLError

    try:
        yml, data = _load(text)
    except YAMLError:
        return None
    layers = data.get("layers")
    if layers is None:
        data["layers"] = layers = _node([])
    if not len(layers):  # an empty ``layers: []`` grows as a block list
        layers.fa.set_block_style()
    if replace:
        old = next(e for e in layers if e.get("id") == entry["id"])
        following = _take_following_lines(old)
        _update(old, entry)
        _put_following_lines(old, following)
    else:
        new = _node(entry)
        following = _take_following_lines(layers[-1]) if len(layers) else ""
        layers.append(new)
        _put_following_lines(new, following)
    return _dump(yml, data)
