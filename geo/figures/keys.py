"""Numbered keys: each thematic symbol carries the number of its row in the plan's table.

A planning figure (规划图) numbers its symbols and lists number → name beside the map.
The number comes from the feature's ``plan_ref`` (``002_….txt:L342 表3 row 1 item 2``):

* ``表N row R`` gives ``R``; with ``item I`` after a numeric row, ``R.I``;
  ``表6 row 空间布局 item 1`` (a row named, not numbered) gives ``1``;
* ``专栏N item I`` gives ``I``; ``专栏1 沙滨路 item 2`` (items under a named group)
  gives the group's first character and the item, ``沙2``.

The first reference of ``plan_ref`` that names a table or 专栏 is used. On a figure
where two tables would give the same number, every key is prefixed with its table
(``9-1``, ``15-3``, ``专8-1``) so that no number means two rows. Features with no
table row (the plan names them in running text) are lettered ``a``, ``b`` … in id
order.

Computation only.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

__all__ = [
    "STATUS_FIELDS",
    "Key",
    "_key_sort",
    "figure_keys",
    "key_status",
    "table_row",
]

#: Properties that say a feature's status or class in the key list, first present wins.
STATUS_FIELDS: tuple[str, ...] = ("status_zh", "industry_zh", "category_zh", "status", "kind")

_TABLE = re.compile(r"表\s*(\d+)\s+row\s+(\S+)(?:\s+item\s+(\d+))?")
_BOX = re.compile(r"专栏\s*(\d+)(?:\s+(\S+?))?\s+item\s+(\d+)")


@dataclass(frozen=True)
class Key:
    """The key of one feature on one figure.

    Attributes
    ----------
    text
        What the symbol carries (``3``, ``1.2``, ``15-3``, ``a``).
    table
        The table it refers to (``表3``, ``专栏9``), empty for a lettered feature.
    """

    text: str
    table: str


def table_row(plan_ref: Any) -> tuple[str, str] | None:
    """Return the table and row number a ``plan_ref`` names, or ``None``.

    Parameters
    ----------
    plan_ref
        One or more references separated by ``;``.

    Returns
    -------
    tuple of (str, str) or None
        (``表3``, ``1.2``) or (``专栏1``, ``沙2``); ``None`` when no reference names a
        table row or 专栏 item.

    Examples
    --------
    >>> table_row("002_x.txt:L342 表3 row 1 item 2")
    ('表3', '1.2')
    >>> table_row("002_x.txt:L280 专栏1 沙滨路 item 2")
    ('专栏1', '沙2')
    >>> table_row("002_x.txt:L391 §3.2 三") is None
    True
    """
    for ref in str(plan_ref or "").split(";"):
        hit = _TABLE.search(ref)
        if hit:
            table, row, item = f"表{hit.group(1)}", hit.group(2), hit.group(3)
            if row.isdigit():
                return table, f"{row}.{item}" if item else row
            if item:
                return table, item
            continue
        box = _BOX.search(ref)
        if box:
            group = box.group(2) or ""
            prefix = group[0] if group and not group.isdigit() else ""
            return f"专栏{box.group(1)}", f"{prefix}{box.group(3)}"
    return None


def _short(table: str) -> str:
    """``表15`` → ``15``, ``专栏8`` → ``专8``."""
    return table.removeprefix("表").replace("专栏", "专")


def figure_keys(rows: Sequence[Mapping[str, Any]]) -> dict[str, Key]:
    """Return the key of every thematic feature of one figure.

    Parameters
    ----------
    rows
        The figure's thematic features (``id`` and ``plan_ref`` each), any order.

    Returns
    -------
    dict of str to Key
        Feature id to its key; deterministic for a given set of rows.
    """
    found = {str(r["id"]): table_row(r.get("plan_ref")) for r in rows}
    owners: dict[str, set[str]] = {}
    for hit in found.values():
        if hit:
            owners.setdefault(hit[1], set()).add(hit[0])
    prefixed = any(len(tables) > 1 for tables in owners.values())
    out: dict[str, Key] = {}
    for fid, hit in found.items():
        if hit:
            text = f"{_short(hit[0])}-{hit[1]}" if prefixed else hit[1]
            out[fid] = Key(text, hit[0])
    bare = sorted(fid for fid, hit in found.items() if not hit)
    for n, fid in enumerate(bare):
        out[fid] = Key(_letters(n), "")
    return out


def _letters(n: int) -> str:
    """0 → ``a``, 25 → ``z``, 26 → ``aa``."""
    text = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        text = string.ascii_lowercase[r] + text
    return text


def key_status(row: Mapping[str, Any]) -> str:
    """Return what the key list says of a feature's status or class.

    Parameters
    ----------
    row
        The feature's properties.

    Returns
    -------
    str
        The first of :data:`STATUS_FIELDS` present, else empty.
    """
    for name in STATUS_FIELDS:
        value = row.get(name)
        if value is not None and str(value) not in ("", "nan", "None"):
            return str(value)
    return ""


def _key_sort(text: str) -> tuple[Any, ...]:
    """Order keys as numbers where they are numbers (2 before 10, 1.2 before 1.10)."""
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in text.replace("-", ".").split(".")
    )
