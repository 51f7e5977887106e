"""Validating a new layer's document and checking its ids against the other layers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from geo.data.catalog import GEOMETRY_TYPES
from geo.data.layerfile import read_layer_document
from geo.errors import Problem

if TYPE_CHECKING:
    from geo.data.gazetteer import GazetteerRef

__all__ = [
    "infer_geometry_type",
    "validate_document",
]


# --------------------------------------------------------------------------- validating
def infer_geometry_type(doc: Mapping[str, Any]) -> str | None:
    """Return the single base geometry type of a document, or None if mixed or empty.

    Parameters
    ----------
    doc
        A GeoJSON FeatureCollection mapping. Features with ``geometry: null`` (gazetteer
        places) count as points.

    Returns
    -------
    str or None
        ``Point``, ``LineString`` or ``Polygon``.
    """
    kinds = set()
    for f in doc.get("features") or []:
        geom = f.get("geometry") if isinstance(f, dict) else None
        gtype = geom.get("type") if isinstance(geom, dict) else "Point"
        kinds.add(str(gtype).removeprefix("Multi"))
    return kinds.pop() if len(kinds) == 1 and kinds <= GEOMETRY_TYPES else None


def validate_document(
    doc: dict[str, Any],
    source: str | Path,
    crs: str,
    geometry_type: str | None = None,
    gazetteer: GazetteerRef = None,
) -> gpd.GeoDataFrame:
    """Validate a GeoJSON document and convert it to EPSG:4326.

    The same checks as :func:`geo.data.layers.read_layer_file` and ``geo validate``
    apply (every problem at once), applied to a document held in memory, so that
    non-GeoJSON inputs and filled documents are checked exactly like files.

    Parameters
    ----------
    doc
        A GeoJSON FeatureCollection mapping.
    source
        The input's name, used in every problem.
    crs
        The declared CRS.
    geometry_type
        Expected geometry type.
    gazetteer
        Resolves ``place`` names: the folder's gazetteer (a file is read at the first
        one); default :func:`geo.data.gazetteer.default_path`.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4326.

    Raises
    ------
    LayerValidationError
        Listing every problem.
    """
    return read_layer_document(doc, source, crs, geometry_type, gazetteer)


def _with_option_hint(p: Problem) -> Problem:
    """Point a missing-property problem at the command-line option that fills it."""
    m = re.match(r"missing required property '(\w+)'", p.problem)
    if not m or m.group(1) == "id":
        return p
    opt = "--" + m.group(1).replace("_", "-")
    return Problem(p.file, p.feature_id, p.problem, f"add '{m.group(1)}' to the input, or {opt}")


def _id_clashes(gdf: gpd.GeoDataFrame, owners: Mapping[str, str], source: str) -> list[Problem]:
    return [
        Problem(
            source,
            str(fid),
            f"id already used in layer {owners[str(fid)]}",
            "ids are unique across all layers: rename the feature (or drop its id "
            "to have one generated)",
        )
        for fid in gdf["id"]
        if str(fid) in owners
    ]
