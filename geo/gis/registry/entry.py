"""The catalog entry of a new layer and the catalog text that holds it."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import yaml

from geo.data.catalog import GEOMETRY_TYPES, ROLES, check_layer_id, parse_catalog
from geo.errors import CatalogError
from geo.gis.registry.catalog_yaml import round_trip_with_entry

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
    layer_id, title_zh, title_en, geometry_type
        The layer's id, titles and geometry type.
    file
        Path of the layer file relative to the layers folder.
    figures
        Figures the layer appears on.
    role, group, style
        Catalog keys (see ``docs/contract.md``); default the previous entry's, else
        ``site``, ``新增图层 Added layers`` and the layer id.
    provenance
        Where the data come from.
    previous
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


def catalog_text_with_entry(text: str, entry: Mapping[str, Any], replace: bool) -> tuple[str, bool]:
    """Return the catalog text with ``entry`` appended (or replacing its namesake).

    The edit is a YAML round trip (:func:`geo.gis.registry.catalog_yaml.round_trip_with_entry`)
    that keeps comments, key order and quoting; the result is checked by parsing it,
    and if the edit does not give exactly the intended catalog the whole document is
    re-dumped instead (comments are then lost, which the second return value reports).

    Parameters
    ----------
    text
        The current catalog text.
    entry
        The new entry.
    replace
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

    new_text = round_trip_with_entry(text, entry, replace)
    if new_text is not None:
        with contextlib.suppress(yaml.YAMLError):
            if yaml.safe_load(new_text) == want:
                return new_text, False
    dumped = yaml.safe_dump(want, allow_unicode=True, sort_keys=False, width=10_000)
    parse_catalog(yaml.safe_load(dumped))
    return dumped, True
