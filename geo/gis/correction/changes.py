"""Corrected gazetteer rows: new positions, and anchored places that follow them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.data.gazetteer import Gazetteer
from geo.data.names import normalize_name
from geo.errors import LayerValidationError, Problem
from geo.gis.correction.records import _ANCHOR_ACC, _APPROXIMATE, Correction, RowChange, datum_cell
from geo.limits import accuracy_problem, accuracy_text, checked_accuracy

__all__ = [
    "corrected_rows",
    "corrections_from_review",
    "position_correction",
]


# --------------------------------------------------------------------------- changes
def _fmt_acc(value: float) -> str:
    return accuracy_text(float(value))


def _same_point(row: Mapping[str, str], lon: str, lat: str) -> bool:
    try:
        return math.isclose(float(row["lon"]), float(lon), abs_tol=1e-9) and math.isclose(
            float(row["lat"]), float(lat), abs_tol=1e-9
        )
    except (KeyError, ValueError):
        return False


def _replaced(row: Mapping[str, str], fix: Correction, today: str) -> dict[str, str]:
    new = dict(row)
    old_note = str(row.get("note", ""))
    kind = "anchored" if old_note.startswith(_APPROXIMATE) else "located"
    # an anchored note only explains the anchor; a located row's note may say more
    kept = f"; earlier note: {old_note}" if kind == "located" and old_note else ""
    new.update(
        kind=str(row.get("kind", "")).removesuffix("-anchored"),
        lon=f"{fix.lon:.6f}",
        lat=f"{fix.lat:.6f}",
        source_datum=fix.source_datum,
        source=fix.source,
        accuracy_m=_fmt_acc(fix.accuracy_m),
        note=(
            f"Position supplied on {today}; it replaces the {kind} point {row['lon']}, "
            f"{row['lat']} (accuracy {row['accuracy_m']} m){kept}"
        ),
    )
    return new


def _followed(
    row: Mapping[str, str], anchor_before: Mapping[str, str], anchor_after: Mapping[str, str]
) -> dict[str, str]:
    """Move an approximate row anchored at a corrected place along with it."""
    old_anchor, new_anchor = float(anchor_before["accuracy_m"]), float(anchor_after["accuracy_m"])
    new = dict(row)
    new["lon"], new["lat"] = anchor_after["lon"], anchor_after["lat"]
    # an anchored accuracy is the anchor's plus the stated offset: keep the offset
    new["accuracy_m"] = _fmt_acc(float(row["accuracy_m"]) - old_anchor + new_anchor)
    new["note"] = _ANCHOR_ACC.sub(f"anchor accuracy {_fmt_acc(new_anchor)} m", row["note"])
    return new


def _anchored_at(row: Mapping[str, str], name: str) -> bool:
    return str(row.get("note", "")).startswith(_APPROXIMATE) and str(
        row.get("source", "")
    ).startswith(f"anchored at {name}:")


def corrected_rows(
    rows: Sequence[Mapping[str, str]], corrections: Iterable[Correction], today: str
) -> tuple[list[dict[str, str]], list[RowChange]]:
    """Apply corrections to gazetteer rows (in memory).

    Parameters
    ----------
    rows
        Rows from :func:`parse_gazetteer_text`.
    corrections
        New positions; each names a row by ``name_zh``.
    today
        Date written into the notes (ISO).

    Returns
    -------
    tuple of (list of dict, list of RowChange)
        The new rows (same order, every column kept) and what changed, the
        corrected rows first, then the approximate rows that followed their anchor.

    Raises
    ------
    LayerValidationError
        If a correction names a place that is not a row of the gazetteer.
    """
    out = [dict(r) for r in rows]
    by_name = {normalize_name(r["name_zh"]): i for i, r in enumerate(out)}
    fixes = list(corrections)
    missing = [f.place for f in fixes if normalize_name(f.place) not in by_name]
    if missing:
        raise LayerValidationError(
            [
                Problem("gazetteer.csv", m, "no row has this name_zh", "use the place's name_zh")
                for m in missing
            ]
        )
    changes: list[RowChange] = []
    for fix in fixes:
        i = by_name[normalize_name(fix.place)]
        before = dict(out[i])
        out[i] = _replaced(before, fix, today)
        changes.append(RowChange(before["name_zh"], before, out[i]))
    changes += _follow_anchors(out, list(changes))
    return out, changes


def _follow_anchors(out: list[dict[str, str]], moved: list[RowChange]) -> list[RowChange]:
    """Move, in place, the approximate rows anchored at moved rows (and at those, ...)."""
    done = {normalize_name(c.place) for c in moved}
    index = {normalize_name(r["name_zh"]): i for i, r in enumerate(out)}
    queue, followed = list(moved), []
    while queue:
        anchor = queue.pop(0)
        for j, row in enumerate(out):
            key = normalize_name(row["name_zh"])
            if key in done or not _anchored_at(row, anchor.place):
                continue
            if not _same_point(row, anchor.before["lon"], anchor.before["lat"]):
                continue
            out[j] = _followed(row, anchor.before, out[index[normalize_name(anchor.place)]])
            done.add(key)
            change = RowChange(row["name_zh"], dict(row), out[j], follows=anchor.place)
            followed.append(change)
            queue.append(change)
    return followed


def position_correction(
    gazetteer: Gazetteer,
    name: str,
    lon: float,
    lat: float,
    crs: str,
    source: str,
    *,
    accuracy_m: float | None = None,
    district: Any = None,
) -> Correction:
    """Build the correction for one place given by hand (``geo gazetteer set``).

    Parameters
    ----------
    gazetteer
        Resolves ``name`` (any name or alias).
    lon, lat
        The position in ``crs``.
    crs
        ``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>`` (then ``lon``/``lat`` are
        easting/northing in metres).
    source
        Where the position comes from.
    accuracy_m
        The error of the position itself, in metres; the place's extent is added
        (:func:`geo.data.accuracy.position_accuracy`).
    district
        The district (WGS-84); a position outside it is refused.

    Returns
    -------
    Correction

    Raises
    ------
    GazetteerError
        If the name is not in the gazetteer.
    ValueRangeError
        If ``accuracy_m`` is no number of metres in range.
    LayerValidationError
        If the position is not a position in Chongqing, lies outside the district,
        or the place is a kind one point cannot locate.
    """
    from geo.data.accuracy import position_accuracy
    from geo.data.crs import canonical_crs, coordinate_problem
    from geo.gis.poi.matching import _outside
    from geo.gis.poi.reading import to_wgs84

    checked_accuracy(accuracy_m)
    place = gazetteer.lookup(name)
    datum = canonical_crs(crs)
    found = coordinate_problem([float(lon)], [float(lat)], datum)
    xs, ys = to_wgs84([lon], [lat], datum)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys), crs="EPSG:4326")
    if found is None and district is not None and bool(_outside(pts, district)[0]):
        found = ("the position lies outside the district", "check the coordinates and --crs")
    acc = position_accuracy(place.kind, accuracy_m)
    if found is None and not math.isfinite(acc):
        found = (f"a {place.kind} cannot be located by one point", "edit the layer that draws it")
    elif found is None and (wide := accuracy_problem(acc)):
        found = (f"{wide} (the place's extent plus --accuracy-m)", "give a smaller --accuracy-m")
    if found is not None:
        raise LayerValidationError([Problem("command line", place.name_zh, *found)])
    cited = f"{source}; given as {lon}, {lat} ({datum})"
    return Correction(place.name_zh, float(xs[0]), float(ys[0]), datum_cell(datum), cited, acc)


def _review_source(rec: Mapping[str, Any], source: str, file_label: str) -> str:
    datum = str(rec["source_datum"])
    conv = "" if datum == "wgs84" else f"; given in {datum}, converted to WGS-84"
    where = f"{file_label} {rec['row']}".strip()
    addr = f" ({rec['address']})" if rec.get("address") else ""
    return f"{source}: {where} '{rec['name']}'{addr}{conv}"


def corrections_from_review(
    review: pd.DataFrame,
    source: str,
    *,
    only: Sequence[str] | None = None,
    file_label: str = "",
) -> tuple[list[Correction], list[str]]:
    """Choose the rows of a review table to apply.

    Parameters
    ----------
    review
        Output of :func:`geo.gis.poi.match_points`.
    source
        The ``--source`` text (provider, date).
    only
        Place names to apply (any name or alias); rows whose only flags are
        warnings (``far``, ``located``) are applied when named here.
    file_label
        The input file's name, cited in each row's source.

    Returns
    -------
    tuple of (list of Correction, list of str)
        The corrections, and one line per matched row left out, with its reason.
    """
    wanted = {normalize_name(n) for n in only or ()}
    named: set[str] = set()
    fixes, skipped = [], []
    for rec in review.to_dict("records"):
        place = str(rec["place"])
        if (
            wanted
            and normalize_name(place) not in wanted
            and normalize_name(rec["name"]) not in wanted
        ):
            continue
        named.add(normalize_name(place))
        ok = rec["status"] == "apply" or (rec["status"] == "needs --only" and wanted)
        why = f"{rec['status']} ({rec['flags']})"
        if ok and (found := accuracy_problem(rec["accuracy_m"])):
            ok, why = False, f"{found}: the place's extent and the point's error are too wide"
        if not ok:
            skipped.append(f"{rec['row']} {rec['name'] or '(no name)'}: {why}")
            continue
        fixes.append(
            Correction(
                place,
                float(rec["lon"]),
                float(rec["lat"]),
                datum_cell(str(rec["source_datum"])),
                _review_source(rec, source, file_label),
                float(rec["accuracy_m"]),
            )
        )
    return fixes, skipped
