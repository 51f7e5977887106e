"""Filling missing required properties from explicit defaults, recording every fill."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.data.checks import REQUIRED
from geo.limits import accuracy_text, checked_accuracy

__all__ = [
    "Fill",
    "PropertyDefaults",
    "fill_frame",
    "fill_properties",
]


# --------------------------------------------------------------------------- data classes
@dataclass(frozen=True)
class PropertyDefaults:
    """Values used for required properties that the input does not carry.

    Attributes
    ----------
    kind, plan_ref, geometry_source
        Filled on every feature that lacks them.
    accuracy_m
        Filled on every feature that lacks it.
    name_zh, name_en
        Name stems: a single feature gets the name as is, several get ``stem 1``,
        ``stem 2`` ... When not given, the layer titles are used the same way.
    """

    kind: str | None = None
    plan_ref: str | None = None
    geometry_source: str | None = None
    accuracy_m: float | None = None
    name_zh: str | None = None
    name_en: str | None = None


@dataclass(frozen=True)
class Fill:
    """One property filled on some features because the input lacked it.

    Attributes
    ----------
    prop
        The property name.
    source
        Where the value came from (``--kind``, ``--id + number``, ``--title-zh + number``).
    feature_ids
        Ids of the features that received it.
    values
        The values given, in the same order (one per feature).
    """

    prop: str
    source: str
    feature_ids: tuple[str, ...]
    values: tuple[str, ...]

    def __str__(self) -> str:
        uniq = sorted(set(self.values))
        shown = (
            repr(uniq[0])
            if len(uniq) == 1
            else ", ".join(repr(v) for v in self.values[:3])
            + (" ..." if len(self.values) > 3 else "")
        )
        return (
            f"filled '{self.prop}' = {shown} on {len(self.feature_ids)} feature(s) "
            f"from {self.source}"
        )


# --------------------------------------------------------------------------- filling
def _slug(layer_id: str) -> str:
    return layer_id.replace("_", "-")


def _missing(props: Mapping[str, Any], key: str) -> bool:
    value = props.get(key)
    return value is None or str(value).strip() == ""


def fill_properties(
    doc: Mapping[str, Any],
    layer_id: str,
    title_zh: str,
    title_en: str,
    defaults: PropertyDefaults,
) -> tuple[dict[str, Any], list[Fill]]:
    """Fill missing required properties from explicit defaults, recording every fill.

    Nothing is invented without a record: ids are the layer id (``_`` as ``-``) plus
    a number; names are the given name stems (or the layer titles) plus a number;
    ``kind``, ``plan_ref``, ``geometry_source`` and ``accuracy_m`` are filled only
    when a default is given, so a missing one is still reported by validation.

    Parameters
    ----------
    doc
        A GeoJSON FeatureCollection mapping; not modified.
    layer_id
        The catalog id of the new layer.
    title_zh, title_en
        The layer titles, used as name stems when no ``name_zh``/``name_en`` default.
    defaults
        The values to fill.

    Returns
    -------
    tuple of (dict, list of Fill)
        A filled copy of the document and the fills made.

    Raises
    ------
    ValueRangeError
        If ``defaults.accuracy_m`` is not a number of metres within
        :data:`geo.limits.MIN_ACCURACY_M` to :data:`geo.limits.MAX_ACCURACY_M`.
    """
    checked_accuracy(defaults.accuracy_m)
    out = json.loads(json.dumps(doc, ensure_ascii=False))  # deep copy, JSON types only
    feats = [f for f in out.get("features", []) if isinstance(f, dict)]
    for f in feats:
        if not isinstance(f.get("properties"), dict):
            f["properties"] = {}
    taken = {str(f["properties"]["id"]) for f in feats if not _missing(f["properties"], "id")}
    records: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def note(prop: str, src: str, fid: str, value: Any) -> None:
        records.setdefault((prop, src), []).append((fid, str(value)))

    n = 0
    for f in feats:
        props = f["properties"]
        if _missing(props, "id"):
            n += 1
            while f"{_slug(layer_id)}-{n}" in taken:
                n += 1
            props["id"] = f"{_slug(layer_id)}-{n}"
            taken.add(props["id"])
            note("id", "--id + number", props["id"], props["id"])
    many = len(feats) > 1
    for i, f in enumerate(feats, start=1):
        props = f["properties"]
        fid = str(props["id"])
        for key, stem, src in (
            ("name_zh", defaults.name_zh or title_zh, "--name-zh" if defaults.name_zh else None),
            ("name_en", defaults.name_en or title_en, "--name-en" if defaults.name_en else None),
        ):
            if _missing(props, key):
                value = f"{stem} {i}" if many else stem
                origin = src or f"--title-{key[-2:]}"
                props[key] = value
                note(key, origin + (" + number" if many else ""), fid, value)
        for key in ("kind", "plan_ref", "geometry_source", "accuracy_m"):
            value = getattr(defaults, key)
            if value is not None and _missing(props, key):
                if key == "accuracy_m" and props.get("place") and f.get("geometry") is None:
                    continue  # a place feature inherits the gazetteer's accuracy
                props[key] = value
                shown = accuracy_text(value) if key == "accuracy_m" else value
                note(key, f"--{key.replace('_', '-')}", fid, shown)
    for f in feats:  # required properties first, in docs/contract.md order, for readable files
        props = f["properties"]
        f["properties"] = {
            **{k: props[k] for k in REQUIRED if k in props},
            **{k: v for k, v in props.items() if k not in REQUIRED},
        }
    fills = [
        Fill(prop, src, tuple(i for i, _ in pairs), tuple(v for _, v in pairs))
        for (prop, src), pairs in records.items()
    ]
    order = {k: i for i, k in enumerate(REQUIRED)}
    fills.sort(key=lambda fl: order.get(fl.prop, len(order)))
    return out, fills


def _blank_cells(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype(str).str.strip() == "")


def fill_frame(
    frame: gpd.GeoDataFrame,
    layer_id: str,
    title_zh: str,
    title_en: str,
    defaults: PropertyDefaults,
) -> tuple[gpd.GeoDataFrame, list[Fill]]:
    """Fill missing required properties of a frame of points, as :func:`fill_properties`.

    The same values and the same records as for a document, column by column (a
    frame of points holds no gazetteer places).

    Parameters
    ----------
    frame
        Points with their properties as columns; not modified.
    layer_id
        The catalog id of the new layer.
    title_zh, title_en
        The layer titles, used as name stems when no ``name_zh``/``name_en`` default.
    defaults
        The values to fill.

    Returns
    -------
    tuple of (GeoDataFrame, list of Fill)
        A filled copy, required properties first, and the fills made.

    Raises
    ------
    ValueRangeError
        If ``defaults.accuracy_m`` is out of range.
    """
    checked_accuracy(defaults.accuracy_m)
    out = frame.copy()
    fills = []
    ids = out["id"] if "id" in out else pd.Series(None, index=out.index, dtype=object)
    missing = _blank_cells(ids).to_numpy()
    if missing.any():
        taken, made, n = set(ids[~missing].astype(str)), [], 0
        for _ in range(int(missing.sum())):
            n += 1
            while f"{_slug(layer_id)}-{n}" in taken:
                n += 1
            made.append(f"{_slug(layer_id)}-{n}")
        ids = ids.astype(object)
        ids[missing] = made
        fills.append(Fill("id", "--id + number", tuple(made), tuple(made)))
    out["id"] = ids
    fid = ids.astype(str).to_numpy()
    many = len(out) > 1
    for key, stem, src in (
        ("name_zh", defaults.name_zh or title_zh, "--name-zh" if defaults.name_zh else None),
        ("name_en", defaults.name_en or title_en, "--name-en" if defaults.name_en else None),
    ):
        col = out[key] if key in out else pd.Series(None, index=out.index, dtype=object)
        blank = _blank_cells(col).to_numpy()
        if blank.any():
            numbers = (blank.nonzero()[0] + 1).astype(str)
            values = [f"{stem} {i}" for i in numbers] if many else [stem] * len(numbers)
            col = col.astype(object)
            col[blank] = values
            origin = (src or f"--title-{key[-2:]}") + (" + number" if many else "")
            fills.append(Fill(key, origin, tuple(fid[blank]), tuple(values)))
        out[key] = col
    for key in ("kind", "plan_ref", "geometry_source", "accuracy_m"):
        value = getattr(defaults, key)
        if value is None:
            continue
        col = out[key] if key in out else pd.Series(None, index=out.index, dtype=object)
        blank = _blank_cells(col).to_numpy()
        if blank.any():
            col = col.astype(object)
            col[blank] = value
            shown = accuracy_text(value) if key == "accuracy_m" else value
            flag = f"--{key.replace('_', '-')}"
            fills.append(Fill(key, flag, tuple(fid[blank]), (shown,) * int(blank.sum())))
        out[key] = col
    if "accuracy_m" in out and out["accuracy_m"].dtype == object:
        numbers = pd.to_numeric(out["accuracy_m"], errors="coerce")
        if numbers.notna().all():
            out["accuracy_m"] = numbers
    first = [k for k in REQUIRED if k in out]
    rest = [c for c in out.columns if c not in REQUIRED]
    return out[first + rest], fills
