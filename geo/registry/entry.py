"""The catalog entry of a new layer and the catalog text that holds it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

import yaml

from geo._errors import CatalogError
from geo.catalog import GEOMETRY_TYPES, ROLES, check_layer_id, parse_catalog

__all__ = [
    "catalog_entry",
    "catalog_text_with_entry",
]


#: Layer-control group of layers added without ``--group``.
DEFAULT_GROUP = "新增图层 Added layers"


# --------------------------------------------------------------------------- catalog text
def catalog_entry(
    layer_id: str,
    title_zh: str,
    title_en: str,
    geometry_type: str,
    *,
    file: str,
    figures: list[int] | None = None,
    role: str | None = None,
    group: str | None = None,
    style: str | None = None,
    provenance: str = "",
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a catalog entry for a new (or replaced) layer.

    The stored file is always WGS-84, so the entry declares ``crs: wgs84``; the
    input's CRS belongs in ``provenance``. When replacing, keys of the previous
    entry that the caller does not set (role, group, style, figures, kind_field)
    are kept.

    Parameters
    ----------
    layer_id, title_zh, title_en, geometry_type : str
        The layer's id, titles and geometry type.
    file : str
        Path of the layer file relative to the layers folder.
    figures : list of int, optional
        Figures the layer appears on.
    role, group, style : str, optional
        Catalog keys (see ``docs/contract.md``); default the previous entry's, else
        ``site``, ``新增图层 Added layers`` and the layer id.
    provenance : str
        Where the data come from.
    previous : mapping, optional
        The entry being replaced.

    Returns
    -------
    dict
        The entry, keys in the catalog's usual order.

    Raises
    ------
    CatalogError
        If the id, geometry type or role is not allowed.
    """
    check_layer_id(layer_id)
    if geometry_type not in GEOMETRY_TYPES:
        raise CatalogError(f"geometry type {geometry_type!r}: use one of {sorted(GEOMETRY_TYPES)}")
    prev = dict(previous or {})
    role = role or prev.get("role", "site")
    if role not in ROLES:
        raise CatalogError(f"role {role!r}: use one of {sorted(ROLES)}")
    return {
        "id": layer_id,
        "title_zh": title_zh,
        "title_en": title_en,
        "geometry_type": geometry_type,
        "file": file,
        "crs": "wgs84",
        "role": role,
        "group": group or prev.get("group", DEFAULT_GROUP),
        "figures": list(figures) if figures is not None else list(prev.get("figures", [])),
        "style": style or prev.get("style", layer_id),
        "kind_field": prev.get("kind_field", "kind"),
        "provenance": provenance,
    }


def _entry_block(entry: Mapping[str, Any], indent: str) -> str:
    text = yaml.safe_dump(
        [dict(entry)], allow_unicode=True, sort_keys=False, default_flow_style=None, width=10_000
    )
    return "".join(indent + line + "\n" for line in text.splitlines())


def _list_span(lines: list[str]) -> tuple[int, int, str] | None:
    """Return (first item line, end line, item indent) of the top-level ``layers:`` list."""
    start = next((i for i, ln in enumerate(lines) if re.match(r"^layers:\s*(#.*)?$", ln)), None)
    if start is None:
        return None
    end, indent = len(lines), None
    for j in range(start + 1, len(lines)):
        ln = lines[j]
        if indent is None:
            m = re.match(r"^(\s*)- ", ln)
            if m:
                indent = m.group(1)
        if ln and not ln[0].isspace() and not ln.startswith(("#", "-")):
            end = j
            break
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1  # keep trailing comments and blank lines with what follows
    return start + 1, end, indent if indent is not None else "  "


def catalog_text_with_entry(text: str, entry: Mapping[str, Any], replace: bool) -> tuple[str, bool]:
    """Return the catalog text with ``entry`` appended (or replacing its namesake).

    The edit is made on the text, keeping comments and ordering; the result is
    checked by parsing it, and if the text edit does not give exactly the intended
    catalog the whole document is re-dumped instead (comments are then lost, which
    the second return value reports).

    Parameters
    ----------
    text : str
        The current catalog text.
    entry : mapping
        The new entry.
    replace : bool
        Whether an entry with the same id is replaced (it must exist).

    Returns
    -------
    tuple of (str, bool)
        The new text and whether it had to be re-dumped.

    Raises
    ------
    CatalogError
        If the current catalog is unreadable or the result does not parse.
    """
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"the catalog is not valid YAML ({exc}); fix it first") from exc
    parse_catalog(data)
    layers = list(data.get("layers") or [])
    ids = [e.get("id") for e in layers]
    lid = entry["id"]
    if replace:
        layers[ids.index(lid)] = dict(entry)
    else:
        layers.append(dict(entry))
    want = {**data, "layers": layers}

    lines = text.splitlines(keepends=True)
    new_text = None
    span = _list_span([ln.rstrip("\n") for ln in lines])
    if span is not None:
        first, end, indent = span
        block = _entry_block(entry, indent)
        if not replace:
            head = "".join(lines[:end])
            if head and not head.endswith("\n"):
                head += "\n"
            new_text = head + block + "".join(lines[end:])
        else:
            pat = re.compile(rf"^{re.escape(indent)}- id:\s*['\"]?{re.escape(lid)}['\"]?\s*(#.*)?$")
            item = re.compile(rf"^{re.escape(indent)}- ")
            starts = [i for i in range(first, end) if pat.match(lines[i].rstrip("\n"))]
            if len(starts) == 1:
                s = starts[0]
                e = next((i for i in range(s + 1, end) if item.match(lines[i])), end)
                while e > s + 1 and (
                    not lines[e - 1].strip() or lines[e - 1].lstrip().startswith("#")
                ):
                    e -= 1
                new_text = "".join(lines[:s]) + block + "".join(lines[e:])
    if new_text is not None:
        with contextlib.suppress(yaml.YAMLError):
            if yaml.safe_load(new_text) == want:
                return new_text, False
    dumped = yaml.safe_dump(want, allow_unicode=True, sort_keys=False, width=10_000)
    parse_catalog(yaml.safe_load(dumped))
    return dumped, True
