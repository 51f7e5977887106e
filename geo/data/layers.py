"""Layers of a catalog: checking the catalog's files, ids across layers, writing.

Layers are loaded through :class:`geo.project.Project` (``Project(folder).layer(id)``,
``.layers()``, ``.open(path)``), which hands every reader its folder's gazetteer.
Reading one file is :mod:`geo.data.layerfile`, the checks are :mod:`geo.data.checks`, the
catalog is :mod:`geo.data.catalog` and CRS names are :mod:`geo.data.crs`; their public names
are importable from here too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from geo._io import atomic_write_text
from geo.data.catalog import Catalog, LayerSpec, layer_path, read_catalog
from geo.data.checks import check_document
from geo.data.columnar import PARQUET_SUFFIXES, check_points, read_parquet
from geo.data.crs import STORAGE_CRS, canonical_crs
from geo.data.gazetteer import GazetteerRef
from geo.data.inputs import read_layer_file
from geo.data.layerfile import read_geojson
from geo.errors import CRSError, LayerValidationError, Problem, UnknownLayerError

__all__ = [
    "feature_owners",
    "layer_text",
    "to_geojson_dict",
    "validate_catalog",
    "write_layer",
]


def _load_layer(
    id_or_path: str | Path,
    crs: str | None = None,
    catalog: Catalog | None = None,
    gazetteer: GazetteerRef = None,
) -> gpd.GeoDataFrame:
    """Load a layer by catalog id or file path, validated, in EPSG:4326, uncached.

    Internal: code outside the package loads layers through
    :class:`geo.project.Project`, which keeps them and sets aside those that fail.

    Parameters
    ----------
    id_or_path
        A catalog layer id (e.g. ``"projects"``, ``"rings"``) or a path to a GeoJSON file.
    crs
        Declared CRS for a path (default ``wgs84``); for a catalog id the catalog's
        declaration is used and this must be omitted or agree.
    catalog
        Default: :func:`read_catalog`.
    gazetteer
        Resolves ``place`` names (a file is read at the first one); default the
        catalog folder's ``gazetteer.csv``, else :func:`geo.data.gazetteer.default_path`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, the feature properties of docs/contract.md as columns, CRS EPSG:4326.

    Raises
    ------
    UnknownLayerError
        If ``id_or_path`` is neither a catalog id nor an existing file.
    LayerValidationError
        If the file has problems (all are listed).
    """
    key = str(id_or_path)
    cat = catalog
    if not Path(key).suffix:
        cat = cat or read_catalog()
        if gazetteer is None and cat.folder is not None:
            gazetteer = cat.folder / "gazetteer.csv"
        if key in cat:
            return _load_spec(cat[key], cat, crs, gazetteer)
    path = Path(key)
    if not path.exists():
        known = ", ".join(cat.layers) if cat else "see `geo layers`"
        raise UnknownLayerError(f"unknown layer {key!r}: not a catalog id ({known}) nor a file")
    return read_layer_file(path, crs or "wgs84", gazetteer=gazetteer)


def _load_spec(
    spec: LayerSpec, cat: Catalog, crs: str | None, gazetteer: GazetteerRef
) -> gpd.GeoDataFrame:
    if crs is not None and canonical_crs(crs) != canonical_crs(spec.crs):
        raise CRSError(f"layer {spec.id} is declared {spec.crs} in the catalog, not {crs}")
    if spec.is_derived:
        from geo.data.derive import derive_layer

        def load(lid: str) -> gpd.GeoDataFrame:
            return _load_layer(lid, catalog=cat, gazetteer=gazetteer)

        return derive_layer(spec, load, gazetteer)
    path = layer_path(spec.id, spec.file, cat.folder)
    return read_layer_file(path, spec.crs, spec.geometry_type, gazetteer)


def _load_layers(
    ids: Iterable[str] | None = None, catalog: Catalog | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Load several layers (default: every catalog layer, derived ones included), uncached.

    Internal, as :func:`_load_layer`.

    Parameters
    ----------
    ids
        Layer ids; default all, in catalog order.
    catalog
        Default: :func:`read_catalog`.

    Returns
    -------
    dict of str to GeoDataFrame
    """
    cat = catalog or read_catalog()
    return {lid: _load_layer(lid, catalog=cat) for lid in (ids or list(cat.layers))}


def _document_ids(doc: dict[str, Any]) -> list[Any]:
    ids = []
    for feat in doc["features"]:
        props = feat.get("properties") if isinstance(feat, dict) else None
        ids.append(props.get("id") if isinstance(props, dict) else None)
    return ids


def source_ids(
    catalog: Catalog,
    directory: Path | None = None,
    *,
    skip: str | None = None,
    problems: list[Problem] | None = None,
    check: bool = False,
    gazetteer: GazetteerRef = None,
) -> Iterator[tuple[LayerSpec, Path, list[Any]]]:
    """Yield every source layer's spec, file and feature ids, checking the files if asked.

    Parameters
    ----------
    catalog
        The catalog; derived layers have no file and are left out.
    directory
        The layers folder; default the catalog's own.
    skip
        A layer to leave out.
    problems
        Receives a problem for each file that cannot be read (it is left out), and,
        with ``check``, every problem of every file.
    check
        Check every feature, not only read the ids.
    gazetteer
        Resolves ``place`` names when checking (None: the default one).

    Yields
    ------
    tuple of (LayerSpec, Path, list)
        The ids in feature order (None where a feature has none).
    """
    found = problems if problems is not None else []
    for spec in catalog:
        if spec.id == skip or spec.is_derived or spec.file is None:
            continue
        path = layer_path(spec.id, spec.file, directory or catalog.folder)
        crs, expect = canonical_crs(spec.crs), spec.geometry_type
        if path.suffix.lower() in PARQUET_SUFFIXES:
            try:
                frame = read_parquet(path)
            except LayerValidationError as exc:
                found += exc.problems
                continue
            if check:
                found += check_points(frame, path, crs, expect)
            yield spec, path, frame["id"].tolist() if "id" in frame else []
            continue
        doc = read_geojson(path, found)
        if doc is None:
            continue
        if check:
            found += check_document(doc, path, crs, expect, gazetteer)
        yield spec, path, _document_ids(doc)


def id_owners(
    layers: Iterable[tuple[LayerSpec, Path, list[Any]]],
    problems: list[Problem] | None = None,
) -> dict[str, str]:
    """Map every feature id of the layers to the first layer that uses it.

    Parameters
    ----------
    layers
        What :func:`source_ids` yields.
    problems
        Receives a problem for every id that a second layer uses too.

    Returns
    -------
    dict of str to str
        Feature id to layer id.
    """
    owners: dict[str, str] = {}
    for spec, path, ids in layers:
        for fid in ids:
            if fid is None:
                continue
            first = owners.setdefault(str(fid), spec.id)
            if first != spec.id and problems is not None:
                problems.append(
                    Problem(
                        str(path),
                        str(fid),
                        f"id also used in layer {first}",
                        "ids must be unique across all layers: rename one",
                    )
                )
    return owners


def feature_owners(
    catalog: Catalog, directory: Path | None = None, skip: str | None = None
) -> dict[str, str]:
    """Map every feature id of the catalog's source layers to its layer id.

    Parameters
    ----------
    catalog
        The catalog.
    directory
        The layers folder; default the catalog's own.
    skip
        A layer to leave out (the one being replaced).

    Returns
    -------
    dict of str to str
    """
    return id_owners(source_ids(catalog, directory, skip=skip))


def validate_catalog(
    catalog: Catalog | None = None, gazetteer: GazetteerRef = None
) -> list[Problem]:
    """Validate every source layer of the catalog, and ids across layers.

    Parameters
    ----------
    catalog
        Default: :func:`read_catalog`.
    gazetteer
        Resolves ``place`` names (a file is read at the first one); default the
        catalog folder's ``gazetteer.csv``, else :func:`geo.data.gazetteer.default_path`.

    Returns
    -------
    list of Problem
        Every problem of every file, plus ids used in more than one layer.
    """
    cat = catalog or read_catalog()
    if gazetteer is None and cat.folder is not None:
        gazetteer = cat.folder / "gazetteer.csv"
    problems: list[Problem] = []
    layers = list(source_ids(cat, problems=problems, check=True, gazetteer=gazetteer))
    id_owners(layers, problems)
    return problems


# --------------------------------------------------------------------------- writing
def to_geojson_dict(gdf: gpd.GeoDataFrame, precision: int = 6) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection mapping with coordinates rounded.

    Parameters
    ----------
    gdf
        Features in EPSG:4326.
    precision
        Decimal places kept (6 ≈ 0.1 m).

    Returns
    -------
    dict
    """
    if gdf.crs is not None and not gdf.crs.equals(STORAGE_CRS):
        raise CRSError(
            f"layers are stored in EPSG:4326, got {gdf.crs.to_string()}: "
            "use gdf.to_crs('EPSG:4326') first"
        )
    rounded = shapely.set_precision(gdf.geometry.values, 10.0**-precision)
    out = gdf.copy()
    out.geometry = rounded
    return json.loads(out.to_json(na="drop", drop_id=True, ensure_ascii=False))


def layer_text(gdf: gpd.GeoDataFrame, precision: int = 6) -> str:
    """Return the GeoJSON text of a layer as it is stored: one feature per line.

    Parameters
    ----------
    gdf
        Features in EPSG:4326.
    precision
        Decimal places of coordinates (6 ≈ 0.1 m).

    Returns
    -------
    str
    """
    doc = to_geojson_dict(gdf, precision)
    text = json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":"))
    # one feature per line keeps diffs of committed layers readable
    return text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n"


def write_layer(gdf: gpd.GeoDataFrame, path: str | Path, precision: int = 6) -> Path:
    """Write a layer as GeoJSON atomically (temp file + rename; never half-written).

    Parameters
    ----------
    gdf
        Features in EPSG:4326.
    path
        Destination file.
    precision
        Decimal places of coordinates.

    Returns
    -------
    Path
    """
    return atomic_write_text(path, layer_text(gdf, precision))
