"""Checks against the map.

A figure against its feature's footprint, a place against the zone the document
puts it in.

Each check is registered in :data:`geo.claims.registry.CHECK_REGISTRY` and takes
the ledger (with ``place_key``) plus the inputs its signature names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from geo.claims.intervals import claim_interval
from geo.claims.intervals import format_si as _fmt
from geo.claims.places import feature_names, normalise_place, zone_for
from geo.claims.registry import frame, register_check, result, with_keys

__all__ = ["check_containment", "check_geometry"]


#: Geometry sources whose outline may decide an area or length claim.
_MEASURED_SOURCES = frozenset({"surveyed", "digitized"})


def _accuracy(value: Any) -> float | None:
    """Return a positive, finite ``accuracy_m``, else None (unknown accuracy decides nothing)."""
    try:
        acc = float(value)
    except (TypeError, ValueError):
        return None
    return acc if math.isfinite(acc) and acc > 0 else None


def _geodesic_area_perimeter(geom: Any) -> tuple[float, float]:
    """Geodesic area (m², as :func:`geo.measure.geodesic_area`) and perimeter (m)."""
    import geopandas as gpd
    from pyproj import Geod

    from geo import measure

    area = float(measure.geodesic_area(gpd.GeoDataFrame(geometry=[geom], crs=4326)).iloc[0])
    _area, perimeter = Geod(ellps="WGS84").geometry_area_perimeter(geom)
    return area, perimeter


@register_check("geometry", order=30)
def check_geometry(
    claims: pd.DataFrame,
    features: Any,
    lookup: Callable[[str], str] | None = None,
    max_relative_uncertainty: float = 0.5,
) -> pd.DataFrame:
    """Compare land or total areas (and lengths) with the feature's geodesic footprint.

    The footprint's uncertainty is perimeter × ``accuracy_m`` (a band of the stated
    positional error all round the outline). Points, lines for areas and
    ``schematic`` geometry give ``cannot verify``, as does a footprint whose
    uncertainty exceeds ``max_relative_uncertainty`` of its area: a coarse
    outline must never pass a claim.

    Parameters
    ----------
    claims
        The ledger.
    features
        EPSG:4326 features with ``name_zh``, ``geometry_source``, ``accuracy_m`` and
        optionally ``id`` (matched against the claim's ``feature_id``).
    lookup
        Gazetteer name resolver.
    max_relative_uncertainty
        Above this, the footprint cannot decide.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = with_keys(claims, lookup)
    subject = df[df["metric"].isin(["land_area", "total_area", "length"])]
    out: list[dict[str, str]] = []
    by_key: dict[str, Any] = {}
    by_id: dict[str, Any] = {}
    if features is not None and len(features):
        for feat in features.to_dict("records"):
            by_key.setdefault(normalise_place(str(feat.get("name_zh", "")), lookup), feat)
            if feat.get("id"):
                by_id[str(feat["id"])] = feat
    for row in subject.to_dict("records"):
        cid = row["claim_id"]
        fid = str(row.get("feature_id") or "")
        # a linked claim is judged on its own feature only, never on a namesake
        feat = by_id.get(fid) if fid else by_key.get(row["place_key"])
        if feat is None or feat.get("geometry") is None:
            why = f"feature {fid} not loaded" if fid and feat is None else "no footprint"
            out.append(result(cid, "geometry", "cannot verify", f"{why} for this place"))
            continue
        geom = feat["geometry"]
        source = str(feat.get("geometry_source", "") or "")
        acc = _accuracy(feat.get("accuracy_m"))
        gtype = geom.geom_type
        wants_line = row["metric"] == "length"
        if source not in _MEASURED_SOURCES:
            why = (
                "is schematic: it shows relations, not a footprint"
                if source == "schematic"
                else f"has geometry_source {source or 'unset'!r}, not a measured outline"
            )
            why = f"feature {feat.get('id', '')} {why}"
            out.append(result(cid, "geometry", "cannot verify", why))
            continue
        if acc is None:
            out.append(
                result(
                    cid,
                    "geometry",
                    "cannot verify",
                    f"feature {feat.get('id', '')} states no positive accuracy_m",
                )
            )
            continue
        if (wants_line and "LineString" not in gtype) or (
            not wants_line and "Polygon" not in gtype
        ):
            out.append(
                result(
                    cid,
                    "geometry",
                    "cannot verify",
                    f"feature {feat.get('id', '')} is a {gtype}, which has no "
                    + ("length" if wants_line else "area"),
                )
            )
            continue
        area, perim = _geodesic_area_perimeter(geom)
        if wants_line:
            measured, unc = perim, 2 * acc
        else:
            measured, unc = area, perim * acc
        unit = row["si_unit"]
        if measured <= 0 or unc / measured > max_relative_uncertainty:
            out.append(
                result(
                    cid,
                    "geometry",
                    "cannot verify",
                    f"footprint {_fmt(measured, unit)} ± {_fmt(unc, unit)} "
                    f"(accuracy {acc:g} m) is too coarse to decide",
                )
            )
            continue
        alo, ahi = claim_interval(row)
        mlo, mhi = measured - unc, measured + unc
        verdict = "consistent" if (mlo <= ahi and alo <= mhi) else "conflict"
        out.append(
            result(
                cid,
                "geometry",
                verdict,
                f"feature {feat.get('id', '')} measures {_fmt(measured, unit)} ± "
                f"{_fmt(unc, unit)} (perimeter × {acc:g} m); claimed "
                f"{_fmt(alo, unit)}–{_fmt(ahi, unit)}",
            )
        )
    return frame(out)


@register_check("containment", vouches=False, order=60)
def check_containment(
    claims: pd.DataFrame,
    places: Any,
    zones: Any,
    lookup: Callable[[str], str] | None = None,
    features: Any = None,
) -> pd.DataFrame:
    """Check that each claim's place lies in the zone the document puts it in.

    The zone is the polygon whose name or alias is the claim's ``zone`` (沙坪坝区 is
    the surveyed district; 全区 means it too; ``科学城X`` puts the place in the
    Science City's Shapingba part). The place is the claim's linked feature
    (``feature_id``) when that is a point, with that feature's ``accuracy_m``
    (which includes any extra error of standing at a host site); else its
    gazetteer point. A place that is an area (a ring, a cluster) is not tested.

    Distances are measured in CGCS2000 / 3-degree GK CM 105E (EPSG:4544). A point
    inside (outside) the zone by more than the summed accuracies is ``consistent``
    (``conflict``); nearer the edge than that, or with no positive accuracy stated,
    it ``cannot verify``: a point known to ±16 km cannot be placed in or out of a
    zone whose edge is 5 km away. This check locates a place; it never vouches for
    the place's figure (see :func:`verdicts`).

    Parameters
    ----------
    claims
        The ledger (columns ``zone`` and, optionally, ``feature_id``).
    places
        Points with ``name_zh``, optional ``aliases`` (``|``-separated) and
        ``accuracy_m``, EPSG:4326 (e.g. the gazetteer).
    zones
        Polygons with ``name_zh``, optional ``aliases``, ``accuracy_m``, EPSG:4326.
    lookup
        Gazetteer name resolver.
    features
        Layer features with ``id`` and ``accuracy_m`` (EPSG:4326), for claims
        with a ``feature_id``.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = with_keys(claims, lookup)
    out: list[dict[str, str]] = []
    if (
        zones is None
        or not len(zones)
        or ((places is None or not len(places)) and (features is None or not len(features)))
    ):
        for cid in df["claim_id"]:
            out.append(
                result(cid, "containment", "cannot verify", "no place points or zone polygons")
            )
        return frame(out)
    point_by_key: dict[str, tuple[Any, float | None, str]] = {}
    if places is not None and len(places):
        p_m = places.to_crs(4544)
        for i, rec in enumerate(places.to_dict("records")):
            for n in feature_names(rec):
                point_by_key.setdefault(
                    normalise_place(n, lookup),
                    (p_m.geometry.iloc[i], _accuracy(rec.get("accuracy_m")), "gazetteer"),
                )
    feat_by_id: dict[str, tuple[Any, float | None, str]] = {}
    if features is not None and len(features):
        f_m = features.to_crs(4544)
        for i, rec in enumerate(features.to_dict("records")):
            if rec.get("id") and f_m.geometry.iloc[i] is not None:
                feat_by_id[str(rec["id"])] = (
                    f_m.geometry.iloc[i],
                    _accuracy(rec.get("accuracy_m")),
                    f"feature {rec['id']}",
                )
    z_m = zones.to_crs(4544)
    zone_by_key: dict[str, tuple[Any, float | None, str]] = {}
    for i, rec in enumerate(zones.to_dict("records")):
        for n in feature_names(rec):
            zone_by_key.setdefault(
                normalise_place(n, lookup),
                (z_m.geometry.iloc[i], _accuracy(rec.get("accuracy_m")), str(rec.get("id", ""))),
            )
    for row in df.to_dict("records"):
        cid = row["claim_id"]
        found = zone_for(str(row["zone"]), zone_by_key, lookup) if row["zone"] else None
        if found is None:
            out.append(
                result(cid, "containment", "cannot verify", f"no polygon for zone {row['zone']!r}")
            )
            continue
        zkey, (zone, z_acc, zid) = found
        fid = str(row.get("feature_id") or "")
        where_from = feat_by_id.get(fid) if fid else None
        if where_from is not None and "Point" not in where_from[0].geom_type:
            out.append(
                result(
                    cid,
                    "containment",
                    "cannot verify",
                    f"{row['place_key']} is an area ({where_from[2]}), not a point",
                )
            )
            continue
        if where_from is None:
            where_from = point_by_key.get(row["place_key"])
        if where_from is None:
            out.append(
                result(cid, "containment", "cannot verify", f"no point for place {row['place']!r}")
            )
            continue
        point, p_acc, origin = where_from
        if p_acc is None or z_acc is None:
            out.append(
                result(
                    cid,
                    "containment",
                    "cannot verify",
                    f"no positive accuracy_m for {origin if p_acc is None else zid}",
                )
            )
            continue
        tol = p_acc + z_acc
        inside = zone.covers(point)
        dist = zone.boundary.distance(point)
        where = "inside" if inside else "outside"
        reason = (
            f"{row['place_key']} ({origin}, ±{p_acc:,.0f} m) lies {dist:,.0f} m {where} the "
            f"edge of {zkey} ({zid}, ±{z_acc:,.0f} m); accuracies add to {tol:,.0f} m"
        )
        verdict = "consistent" if inside else "conflict"
        if dist <= tol:
            verdict = "cannot verify"
            reason += ", more than the distance to the edge"
        out.append(result(cid, "containment", verdict, reason))
    return frame(out)
