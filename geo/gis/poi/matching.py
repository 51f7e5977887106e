"""Matching points to gazetteer places by name, and the review table with its flags."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.data.accuracy import hand_placed_error_m, position_accuracy
from geo.data.crs import METRIC_CRS, STORAGE_CRS
from geo.data.gazetteer import Gazetteer, Place
from geo.data.names import normalize_name

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry


__all__ = [
    "match_points",
    "name_keys",
]


#: What each flag in the review table means.
FLAGS: Mapping[str, str] = {
    "unnamed": "the row has no name: give one, or name the place with --only",
    "unmatched": "no gazetteer place has this name or alias",
    "ambiguous": "the name fits several places, or several rows far apart fit this place",
    "duplicate": "another row gives the same place at about the same position",
    "outside": "the position lies outside the district",
    "far": "the move is larger than the old accuracy_m",
    "located": "the place is already located from a source at least as good",
    "part": "the row is a part of the place (a gate, a building), not the place itself",
    "weaker": "another row matches this place by a closer name",
    "extent": "the place is a line or the whole district: one point cannot locate it",
}
#: Flags that keep a row from being applied even when named with ``--only``.
BLOCKING_FLAGS: frozenset[str] = frozenset(
    {"unnamed", "unmatched", "ambiguous", "duplicate", "outside", "weaker", "extent"}
)
#: Rows that give one place within this distance of each other agree.
AGREE_M = 100.0
#: A point this close to the district boundary still counts as inside (river edges).
DISTRICT_MARGIN_M = 50.0

_OPEN_CLOSE = r"()\[\]{}【】〔〕<>《》"
_BRACKET_CHARS = re.compile(f"[{re.escape(_OPEN_CLOSE)}]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
#: Prefixes the documents and the POI providers add or leave out.
_PREFIXES: tuple[str, ...] = ("中国人民解放军", "重庆市沙坪坝区", "沙坪坝区", "重庆市")
#: Suffixes naming the campus of an institution rather than another place.
_SUFFIXES: tuple[str, ...] = ("主校区", "校区", "校本部", "本部")
#: Old names that mean the same institution.
_SYNONYMS: tuple[tuple[str, str], ...] = (("第三军医大学", "陆军军医大学"),)


# --------------------------------------------------------------------------- matching
def _canonical(key: str) -> str:
    """Reduce a normalised name to its variant key (brackets, prefixes, suffixes)."""
    key = _BRACKET_CHARS.sub("", key)
    for old, new in _SYNONYMS:
        key = key.replace(old, new)
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            key = key[len(prefix) :]
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    return key


def name_keys(name: str) -> list[tuple[str, str]]:
    """Return the keys a name is matched by, strongest first, with how each was made.

    Parameters
    ----------
    name
        A place name as a POI provider or a user writes it, e.g.
        ``"重庆师范大学(大学城校区)"`` or ``"中国人民解放军陆军军医大学第二附属医院"``.

    Returns
    -------
    list of (str, str)
        ``(key, how)`` pairs: ``exact`` (the normalised name), ``variant``
        (brackets removed, ``重庆市``/``沙坪坝区``/``中国人民解放军`` prefixes and
        ``校区`` suffixes dropped, old names mapped), ``loose`` (the same with the
        bracketed part dropped), and ``part`` for the text before the last dash
        (``重庆大学A区-东门`` is a gate of 重庆大学A区).
    """
    key = normalize_name(name)
    if not key:
        return []
    out = [(key, "exact"), (_canonical(key), "variant")]
    out.append((_canonical(_BRACKETED.sub("", key)), "loose"))
    head = key.rsplit("-", 1)[0] if "-" in key else ""
    if head:
        out += [(k, "part") for k, _ in name_keys(head)]
    return list(dict.fromkeys(out))


def _index(gaz: Gazetteer) -> dict[tuple[str, str], set[int]]:
    index: dict[tuple[str, str], set[int]] = {}
    for i, place in enumerate(gaz.places):
        for name in place.names:
            if not name:
                continue
            key = normalize_name(name)
            index.setdefault((key, "exact"), set()).add(i)
            index.setdefault((_canonical(key), "variant"), set()).add(i)
    return index


def _candidates(name: str, index: Mapping[tuple[str, str], set[int]]) -> tuple[set[int], str]:
    """Places a name matches at its strongest tier that matches anything."""
    for key, how in name_keys(name):
        tier = "exact" if how == "exact" else "variant"
        hits = index.get((key, tier)) or index.get((key, "exact")) or set()
        if hits:
            return hits, how
    return set(), ""


def _distances_m(lon0: Any, lat0: Any, lon1: Any, lat1: Any) -> np.ndarray:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype="float64") for v in (lon0, lat0, lon1, lat1))
    )
    lons0, lats0, lons1, lats1 = (np.ravel(a) for a in arrays)
    _, _, dist = geod.inv(lons0, lats0, lons1, lats1)
    return np.asarray(dist, dtype="float64")


def _outside(points: gpd.GeoDataFrame, district: BaseGeometry | None) -> np.ndarray:
    if district is None:
        return np.zeros(len(points), dtype=bool)
    metric = points.to_crs(METRIC_CRS).geometry
    area = gpd.GeoSeries([district], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    return np.asarray(metric.distance(area) > DISTRICT_MARGIN_M)


def _given_names(points: gpd.GeoDataFrame, names: Sequence[str] | None) -> list[str]:
    """Names of the rows; unnamed rows take ``names`` in order when counts agree."""
    own = list(points["name"])
    unnamed = [i for i, n in enumerate(own) if not n]
    if names and unnamed and len(unnamed) == len(names):
        for i, n in zip(unnamed, names, strict=True):
            own[i] = n
    return own


def _review_row(
    rec: Mapping[str, Any], name: str, hits: set[int], how: str, gaz: Gazetteer
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "row": rec["row"],
        "name": name,
        "address": rec["address"],
        "source_datum": rec["source_datum"],
        "lon": rec["geometry"].x,
        "lat": rec["geometry"].y,
        "how": how,
        "place": "",
        "kind": "",
        "old_lon": math.nan,
        "old_lat": math.nan,
        "old_accuracy_m": math.nan,
        "approximate": False,
        "source_error_m": rec.get("accuracy_m", math.nan),
        "zoom": rec.get("zoom", math.nan),
        "flags": [],
    }
    if not name:
        base["flags"] = ["unnamed"]
    elif not hits:
        base["flags"] = ["unmatched"]
    elif len(hits) > 1:
        base["flags"] = ["ambiguous"]
        base["place"] = " | ".join(sorted(gaz.places[i].name_zh for i in hits))
    else:
        place: Place = gaz.places[next(iter(hits))]
        base.update(
            place=place.name_zh,
            kind=place.kind,
            old_lon=place.lon,
            old_lat=place.lat,
            old_accuracy_m=place.accuracy_m,
            approximate=place.approximate,
        )
        if how == "part":
            base["flags"] = ["part"]
    return base


#: Rows matched between two progress reports of :func:`match_points`.
PROGRESS_ROWS = 1000
#: Match tiers, strongest first.
_TIERS: tuple[str, ...] = ("exact", "variant", "loose", "part")


def _add_flag(review: pd.DataFrame, index: Iterable[Any], flag: str) -> None:
    for i in index:
        review.at[i, "flags"] = [*review.at[i, "flags"], flag]


def _flag_groups(review: pd.DataFrame) -> None:
    """Flag places given by several rows.

    Rows matched by a weaker tier than the best row for their place are ``weaker``;
    among the best, rows that agree within :data:`AGREE_M` are ``duplicate`` after
    the first, rows that disagree are all ``ambiguous``.
    """
    single = review[review["flags"].map(lambda f: "ambiguous" not in f)]
    for _, grp in single[single["place"] != ""].groupby("place", sort=False):
        if len(grp) < 2:
            continue
        rank = grp["how"].map(_TIERS.index)
        _add_flag(review, grp.index[rank > rank.min()], "weaker")
        grp = grp[rank == rank.min()]
        if len(grp) < 2:
            continue
        spread = _distances_m(grp["lon"].iloc[0], grp["lat"].iloc[0], grp["lon"], grp["lat"])
        if float(np.nanmax(spread)) > AGREE_M:
            _add_flag(review, grp.index, "ambiguous")
        else:
            _add_flag(review, grp.index[1:], "duplicate")


def match_points(
    points: gpd.GeoDataFrame,
    gazetteer: Gazetteer,
    district: BaseGeometry | None = None,
    *,
    names: Sequence[str] | None = None,
    accuracy_m: float | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> pd.DataFrame:
    """Match user points to gazetteer places and say what applying them would do.

    Parameters
    ----------
    points
        :attr:`PointList.points` (EPSG:4326, ``row``, ``name``, ``address``,
        ``source_datum``; optionally ``zoom`` and ``accuracy_m``).
    gazetteer
        The places to match.
    district
        The district polygon (WGS-84); rows further than :data:`DISTRICT_MARGIN_M`
        outside it are flagged ``outside``.
    names
        Place names for rows that have none (a Draw export), in row order; used only
        when there are exactly as many as unnamed rows.
    accuracy_m
        The positional error of the points themselves, in metres (``--accuracy-m``);
        default: a row's ``accuracy_m``, else the error of a point dropped by hand at
        the row's ``zoom``, else a POI provider's error.
    progress
        Called with (rows matched, rows, ``""``) after every
        :data:`PROGRESS_ROWS` rows and at the end (e.g. :class:`geo.console.Progress`).

    Returns
    -------
    pandas.DataFrame
        One row per input point: ``row, name, address, place, how, old_lon,
        old_lat, old_accuracy_m, lon, lat, moved_m, accuracy_m, flags`` (a
        ``;``-separated list, see :data:`FLAGS`) and ``status``: ``apply``,
        ``needs --only`` (only warnings) or ``not applied`` (a blocking flag).
    """
    index = _index(gazetteer)
    records = points.to_dict("records")
    rows = []
    for rec, name in zip(records, _given_names(points, names), strict=True):
        hits, how = _candidates(name, index) if name else (set(), "")
        rows.append(_review_row(rec, name, hits, how, gazetteer))
        if progress is not None and len(rows) % PROGRESS_ROWS == 0:
            progress(len(rows), len(records), "")
    if progress is not None and len(rows) % PROGRESS_ROWS and len(rows) > PROGRESS_ROWS:
        progress(len(rows), len(records), "")  # a file of a few rows says nothing
    review = pd.DataFrame(rows)
    if review.empty:
        return _finish(review)
    review["moved_m"] = _distances_m(
        review["old_lon"], review["old_lat"], review["lon"], review["lat"]
    )
    review["accuracy_m"] = [
        position_accuracy(r.kind, _source_error(r, accuracy_m)) if r.place else math.nan
        for r in review.itertuples()
    ]
    _flag_groups(review)
    _flag_rows(review, _outside(points, district))
    return _finish(review)


def _flag_rows(review: pd.DataFrame, outside: np.ndarray) -> None:
    """Add the flags each row earns on its own: outside, extent, far, located."""
    for i, r in enumerate(review.itertuples()):
        flags = list(r.flags)
        if outside[i]:
            flags.append("outside")
        if r.place and "ambiguous" not in flags:
            if not math.isfinite(r.accuracy_m):
                flags.append("extent")
            else:
                if r.moved_m > r.old_accuracy_m:
                    flags.append("far")
                if not r.approximate and r.old_accuracy_m <= r.accuracy_m:
                    flags.append("located")
        review.at[review.index[i], "flags"] = flags


def _source_error(row: Any, accuracy_m: float | None) -> float | None:
    """Return the error of the supplied point itself (see :func:`match_points`)."""
    if accuracy_m is not None:
        return float(accuracy_m)
    if isinstance(row.source_error_m, float) and math.isfinite(row.source_error_m):
        return float(row.source_error_m)
    if isinstance(row.zoom, float) and math.isfinite(row.zoom):
        return hand_placed_error_m(row.zoom)
    return None


def _finish(review: pd.DataFrame) -> pd.DataFrame:
    cols = [
        "row",
        "name",
        "address",
        "place",
        "how",
        "kind",
        "old_lon",
        "old_lat",
        "old_accuracy_m",
        "lon",
        "lat",
        "moved_m",
        "accuracy_m",
        "source_datum",
        "flags",
        "status",
    ]
    if review.empty:
        return pd.DataFrame(columns=cols)

    def status(flags: list[str]) -> str:
        if BLOCKING_FLAGS & set(flags):
            return "not applied"
        return "needs --only" if {"far", "located"} & set(flags) else "apply"

    review["status"] = review["flags"].map(status)
    review["flags"] = review["flags"].map(";".join)
    return review[cols]
