"""Adding a layer: read, fill, validate and register it in one call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import yaml

from geo import limits
from geo._io import write_lock
from geo.data.catalog import Catalog, check_layer_id, layer_path, layers_dir, read_catalog
from geo.data.columnar import STORE_SUFFIX, checked_points, is_compact, points_bytes
from geo.data.inputs import read_input_document, read_point_frame
from geo.data.layers import feature_owners, layer_text
from geo.errors import CatalogError, LayerValidationError, Problem
from geo.gis.registry.commit import commit_layer, retire_file
from geo.gis.registry.entry import catalog_entry, catalog_text_with_entry
from geo.gis.registry.filling import Fill, PropertyDefaults, fill_frame, fill_properties
from geo.gis.registry.validation import (
    _id_clashes,
    _with_option_hint,
    infer_geometry_type,
    validate_document,
)

__all__ = [
    "AddResult",
    "add_layer",
]


@dataclass
class AddResult:
    """What :func:`add_layer` did.

    Attributes
    ----------
    layer_id
        The catalog id.
    layer_path
        The written GeoJSON file.
    catalog_path
        The updated catalog.
    features
        The validated features, in EPSG:4326.
    fills
        Every property filled from defaults.
    notes
        Other adjustments made while reading the input.
    backup
        The previous layer file, when one was replaced.
    replaced
        Whether an existing layer was replaced.
    catalog_rewritten
        True when the catalog could not be edited in a round trip and was
        re-dumped (comments lost); normally False.
    """

    layer_id: str
    layer_path: Path
    catalog_path: Path
    features: gpd.GeoDataFrame
    fills: list[Fill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    backup: Path | None = None
    replaced: bool = False
    catalog_rewritten: bool = False


def add_layer(
    path: str | Path,
    layer_id: str,
    title_zh: str,
    title_en: str,
    crs: str,
    *,
    geometry_type: str | None = None,
    figures: list[int] | None = None,
    defaults: PropertyDefaults | None = None,
    role: str | None = None,
    group: str | None = None,
    style: str | None = None,
    provenance: str | None = None,
    replace: bool = False,
    directory: Path | None = None,
    encoding: str | None = None,
    layer: str | None = None,
) -> AddResult:
    """Read, fill, validate and register a layer: ``layers/<id>.geojson`` + catalog entry.

    Parameters
    ----------
    path
        The input: GeoJSON, GeoPackage, shapefile or CSV. It is never modified.
    layer_id
        Catalog id of the layer (``[a-z][a-z0-9_]*``).
    title_zh, title_en
        Layer titles.
    crs
        The input's CRS: ``wgs84``, ``gcj02`` (AMap/Gaode), ``bd09`` (Baidu) or
        ``EPSG:<code>`` (e.g. ``EPSG:4544``).
    geometry_type
        ``Point``, ``LineString`` or ``Polygon``; inferred when the input has one type.
    figures
        Figures to show the layer on.
    defaults
        Values for missing required properties (every fill is reported).
    role, group, style, provenance
        Catalog keys; see :func:`catalog_entry`.
    replace
        Replace an existing layer of the same id (its file is backed up).
    directory
        The layers folder (default :func:`geo.data.layers.layers_dir`).
    encoding, layer
        The input's text encoding and GeoPackage layer; see :func:`read_input_document`.

    Returns
    -------
    AddResult

    Raises
    ------
    LayerValidationError
        If the input has problems (all of them listed); nothing is written.
    CatalogError
        If the id exists and ``replace`` is false, or the entry is not allowed.
    """
    check_layer_id(layer_id)
    path = Path(path)
    directory = Path(directory) if directory else layers_dir()
    cat_path = directory / "catalog.yaml"
    # checked now to fail fast, and again under the lock: another writer may be quicker
    _previous_entry(read_catalog(cat_path), cat_path, layer_id, replace)
    gdf, fills, notes, gtype = _read_filled(
        path, layer_id, title_zh, title_en, crs, geometry_type, defaults or PropertyDefaults(),
        directory / "gazetteer.csv", encoding, layer,
    )  # fmt: skip

    with write_lock(directory):
        catalog = read_catalog(cat_path)
        previous = _previous_entry(catalog, cat_path, layer_id, replace)
        owners = feature_owners(catalog, directory, skip=layer_id)
        clashes = _id_clashes(gdf, owners, str(path))
        if clashes:
            raise LayerValidationError(clashes)
        rel_file = _layer_file(layer_id, previous, compact := is_compact(gdf))
        today = dt.date.today().isoformat()
        prov = provenance or (
            f"Added with `geo add-layer` on {today} from {path.name} (declared {crs}; "
            "converted to WGS-84)."
        )
        entry = catalog_entry(
            layer_id,
            title_zh,
            title_en,
            gtype,
            file=rel_file,
            figures=figures,
            role=role,
            group=group,
            style=style,
            provenance=prov,
            previous=previous,
        )
        cat_text = cat_path.read_text(encoding="utf-8")
        new_cat, rewritten = catalog_text_with_entry(cat_text, entry, replace=previous is not None)
        data = points_bytes(gdf) if compact else layer_text(gdf).encode("utf-8")
        _check_layer_file_size(data, path)
        backup = commit_layer(directory, rel_file, data if compact else data.decode(), new_cat)
        if previous is not None and str(previous["file"]) != rel_file:
            backup = retire_file(directory, str(previous["file"])) or backup
    return AddResult(
        layer_id=layer_id,
        layer_path=directory / rel_file,
        catalog_path=cat_path,
        features=gdf,
        fills=fills,
        notes=notes,
        backup=backup,
        replaced=previous is not None,
        catalog_rewritten=rewritten,
    )


def _read_filled(
    path: Path,
    layer_id: str,
    title_zh: str,
    title_en: str,
    crs: str,
    geometry_type: str | None,
    defaults: PropertyDefaults,
    gazetteer: Path,
    encoding: str | None,
    layer: str | None,
) -> tuple[gpd.GeoDataFrame, list[Fill], list[str], str]:
    """Read the input, fill its missing properties and validate it (every problem at once).

    A large point input is filled and checked column by column
    (:mod:`geo.data.columnar`); anything else as a GeoJSON document.
    """
    points = read_point_frame(path, crs, encoding=encoding, layer=layer)
    if points is not None:
        if found := limits.layer_size_problem(len(points[0]), len(points[0]), points=True):
            raise LayerValidationError([Problem(str(path), "-", found, limits.SIMPLIFY_FIX)])
        frame, fills = fill_frame(points[0], layer_id, title_zh, title_en, defaults)
        try:
            gdf = checked_points(frame, path, crs, geometry_type, points[1])
        except LayerValidationError as exc:
            raise LayerValidationError([_with_option_hint(p) for p in exc.problems]) from None
        return gdf, fills, [], geometry_type or "Point"
    raw, notes = read_input_document(path, crs, encoding=encoding, layer=layer)
    gtype = geometry_type or infer_geometry_type(raw)
    if gtype is None:
        raise LayerValidationError(
            [
                Problem(
                    str(path),
                    "-",
                    "the features mix geometry types (or there are none)",
                    "one layer holds one geometry type: split the file, or pass "
                    "--geometry-type to see which features do not match",
                )
            ]
        )
    doc, fills = fill_properties(raw, layer_id, title_zh, title_en, defaults)
    try:
        gdf = validate_document(doc, path, crs, gtype, gazetteer)
    except LayerValidationError as exc:
        raise LayerValidationError([_with_option_hint(p) for p in exc.problems]) from None
    return gdf, fills, notes, gtype


def _layer_file(layer_id: str, previous: dict[str, Any] | None, compact: bool) -> str:
    """Name the layer's file: GeoParquet for a large point layer, else GeoJSON."""
    suffix = STORE_SUFFIX if compact else ".geojson"
    if previous is None:
        return f"{layer_id}{suffix}"
    old = Path(str(previous["file"]))
    stored = old.suffix.lower() in (STORE_SUFFIX, ".geojson", ".json")
    return str(old.with_suffix(suffix)) if stored else str(old)


def _check_layer_file_size(data: bytes, path: Path) -> None:
    """Refuse a layer whose file would be too large to be read back (the input limit)."""
    size = len(data)
    if size > limits.MAX_INPUT_BYTES:
        found = (
            f"the layer file would be {limits.human_bytes(size)}, more than the limit of "
            f"{limits.human_bytes(limits.MAX_INPUT_BYTES)} a layer file may hold"
        )
        fix = "split it into several layers, or drop columns the maps do not need"
        raise LayerValidationError([Problem(str(path), "-", found, fix)])


def _previous_entry(
    catalog: Catalog, cat_path: Path, layer_id: str, replace: bool
) -> dict[str, Any] | None:
    """Return the catalog entry ``layer_id`` replaces, checking ``replace`` is meant."""
    if layer_id not in catalog:
        if replace:
            raise CatalogError(f"--replace given but layer {layer_id!r} is not in the catalog")
        return None
    if not replace:
        raise CatalogError(
            f"layer {layer_id!r} is already in the catalog: choose another --id, "
            "or pass --replace (the current file is kept in layers/.backup/)"
        )
    spec = catalog[layer_id]
    if spec.derived is not None:
        raise CatalogError(
            f"layer {layer_id!r} is derived by rule {spec.derived['rule']!r}: change "
            "its rule or source layers instead of replacing it"
        )
    layer_path(spec.id, spec.file, cat_path.parent)  # never write outside the folder
    entries = yaml.safe_load(cat_path.read_text(encoding="utf-8"))["layers"]
    return next(e for e in entries if e.get("id") == layer_id)
