"""The claims map: one dot per located place the ledger speaks of.

Each dot is coloured by the place's worst verdict, with its claims in the popup.

A place located more coarsely than the placement rule allows is not dotted but
listed, by the area it is known to lie in. Every text from the data reaches the
page through :mod:`geo.maps.safe`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from geo.claims.places import normalise_place
from geo.claims.verdicts import VERDICTS
from geo.data.placement import precise_enough

if TYPE_CHECKING:
    import pandas as pd
    from branca.element import Figure

__all__ = ["claims_map"]


def _marker_points(
    judged: pd.DataFrame,
    places: Any,
    lookup: Callable[[str], str] | None,
    features: Any,
    max_accuracy_m: float,
) -> tuple[dict[str, Any], dict[str, str]]:
    """One point per place key located to ``max_accuracy_m``, and the coarse keys.

    A key's position is its claims' linked feature, else the gazetteer's point. A key
    whose position is coarser than ``max_accuracy_m`` gets no point: it is returned
    in the second mapping with the area it is known to lie in (``within``, possibly
    empty), to be listed rather than dotted.
    """
    found: dict[str, Mapping[str, Any]] = {}
    by_id: dict[str, Mapping[str, Any]] = {}
    if features is not None and len(features):
        for rec in features.to_dict("records"):
            if rec.get("id") and rec.get("geometry") is not None:
                by_id[str(rec["id"])] = rec
    if by_id and "feature_id" in judged.columns:
        for key, fid in zip(judged["place_key"], judged["feature_id"], strict=True):
            rec = by_id.get(str(fid or ""))
            if rec is not None and str(key) not in found:
                found[str(key)] = rec
    if places is not None and len(places):
        for rec in places.to_dict("records"):
            names = [str(rec.get("name_zh", ""))]
            names += [a for a in str(rec.get("aliases", "") or "").split("|") if a]
            for n in names:
                found.setdefault(normalise_place(n, lookup), rec)
    points: dict[str, Any] = {}
    coarse: dict[str, str] = {}
    for key, rec in found.items():
        geom = rec["geometry"]
        if precise_enough(rec.get("accuracy_m"), max_accuracy_m):  # unknown: never a dot
            points[key] = geom if geom.geom_type == "Point" else geom.representative_point()
        else:
            within = rec.get("within")
            coarse[key] = "" if within is None or within != within else str(within).strip()
    return points, coarse


_VERDICT_COLOURS = {
    "conflict": "red",
    "unsubstantiated": "orange",
    "consistent": "green",
    "cannot verify": "gray",
}
_VERDICT_ZH = {
    "conflict": "矛盾",
    "unsubstantiated": "无依据",
    "consistent": "一致",
    "cannot verify": "无法核查",
}


def _worst(grp: pd.DataFrame) -> str:
    return next(v for v in VERDICTS if (grp["verdict"] == v).any() or v == "cannot verify")


def _claim_items(grp: pd.DataFrame) -> str:
    """Return one escaped ``<li>`` per claim of a place: id, value, verdict, source, quote."""
    from geo.maps.safe import html_text

    return "".join(
        "<li>"
        + html_text(
            f"{r['claim_id']} {r['metric']}: {r['value_written']} {r['unit_written']} — "
            f"{r['verdict']} ({str(r['source_file'])[:3]} L{r['line']}) 「{r['quote']}」"
        )
        + "</li>"
        for r in grp.to_dict("records")
    )


def _listed_html(
    judged: pd.DataFrame,
    coarse: Mapping[str, str],
    missing: set[str],
    names: Mapping[str, str],
    max_accuracy_m: float,
) -> str:
    """Return the side list of places whose claims are not dotted, by area; escaped.

    ``names`` gives the display name of a zone id (``city-east`` → its name_zh);
    ``max_accuracy_m`` is the limit the dots were drawn to.
    """
    from geo.maps.safe import html_text

    groups: dict[str, list[str]] = {}
    for key, grp in judged.groupby("place_key", sort=True):
        key = str(key)
        if key in coarse:
            area = names.get(coarse[key], coarse[key]) or "位置未定 not located"
        elif key in missing:
            area = "无位置 no position"
        else:
            continue
        worst = _worst(grp)
        groups.setdefault(area, []).append(
            f'<li><span class="geo-dot" style="background:{_VERDICT_COLOURS[worst]}"></span>'
            f"{html_text(key)} — {html_text(worst)} ({len(grp)})"
            f'<ul class="geo-claims">{_claim_items(grp)}</ul></li>'
        )
    blocks = "".join(
        f"<details><summary>{html_text(area)} ({len(items)})</summary><ul>{''.join(items)}"
        "</ul></details>"
        for area, items in groups.items()
    )
    return (
        '<div class="geo-claims-list"><b>未绘为点 Not drawn as points</b>'
        "<div>位置不足以绘点的地点按所在区域列出 Places located more coarsely than "
        f"±{max_accuracy_m:g} m, by the area they lie in</div>{blocks}</div>"
        if blocks
        else ""
    )


def _furniture_html(listed: str) -> str:
    """Title, verdict legend and the not-drawn list as fixed blocks over the map."""
    legend = "".join(
        f'<div><span class="geo-dot" style="background:{c}"></span>{_VERDICT_ZH[v]} {v}</div>'
        for v, c in _VERDICT_COLOURS.items()
    )
    return (
        f"<style>{_CLAIMS_MAP_CSS}</style>"
        '<div role="complementary" aria-label="核查 Claims">'
        '<div class="geo-claims-title" role="heading" aria-level="1">'
        "<b>规划数据核查图</b> Claims of the plan checked "
        "against the layers · 每点为一处地点，颜色为其最差核查结论 one dot per place, "
        "coloured by its worst verdict</div>"
        f'<div id="geo-claims-legend" class="geo-claims-legend" tabindex="-1">'
        f"<b>图例 Legend</b>{legend}"
        '<div><span class="geo-line"></span>沙坪坝区 Shapingba District</div></div>'
        + listed
        + "</div>"
    )


_CLAIMS_MAP_CSS = """
.geo-claims-title, .geo-claims-legend, .geo-claims-list { position: fixed; z-index: 1000;
  background: rgba(255,255,255,0.95); font: 12px/16px sans-serif; padding: 6px 8px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.geo-claims-title { top: 8px; left: 50%; transform: translateX(-50%); max-width: 60vw;
  text-align: center; }
.geo-claims-legend { bottom: 24px; right: 8px; }
.geo-claims-list { top: 80px; right: 8px; max-width: 280px; max-height: 50vh;
  overflow-y: auto; }
.geo-claims-list ul { margin: 2px 0; padding-left: 16px; }
.geo-claims-list ul.geo-claims { color: #555; font-size: 11px; }
.geo-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 4px; vertical-align: middle; }
.geo-line { display: inline-block; width: 16px; border-top: 2px solid #000;
  margin-right: 4px; vertical-align: middle; }
"""


def _add_outline(fmap: Any, features: Any) -> None:
    """Draw the district outline (no popup: nothing of the data reaches the script)."""
    import folium

    if features is None or "kind" not in getattr(features, "columns", ()):
        return
    district = features[features["kind"] == "district"]
    if district.empty:
        return
    folium.GeoJson(
        district[["geometry"]].__geo_interface__,
        style_function=lambda _f: {"color": "#000", "weight": 2, "fill": False},
        interactive=False,
    ).add_to(fmap)
    x0, y0, x1, y1 = district.total_bounds
    fmap.fit_bounds([[float(y0), float(x0)], [float(y1), float(x1)]])


def claims_map(
    judged: pd.DataFrame,
    places: Any,
    lookup: Callable[[str], str] | None,
    features: Any = None,
    basemap: str = "osm",
    max_accuracy_m: float | None = None,
) -> Any:
    """Build a folium map with one marker per located place that has claims.

    A place located more coarsely than ``max_accuracy_m`` is not dotted: it is
    listed, by the area it is known to lie in, in a side panel. The map has the
    district outline, a title and a legend of the verdicts; every text is escaped.

    Parameters
    ----------
    judged
        Claims with verdicts (column ``place_key``; ``feature_id`` if linked).
    places
        Gazetteer points (``name_zh``, ``aliases``, ``accuracy_m``, ``within``),
        EPSG:4326.
    lookup
        Gazetteer name resolver.
    features
        Layer features by ``id``: a place's marker stands on its linked feature
        (an area's representative point), else on its gazetteer point. The
        ``district`` feature gives the outline.
    basemap
        A :data:`geo.maps.BASEMAP_NAMES` value; ``none`` draws no tiles.
    max_accuracy_m
        Largest ``accuracy_m`` drawn as a dot (default
        :data:`geo.data.placement.DEFAULT_MAX_ACCURACY_M`, 1000 m).

    Returns
    -------
    folium.Map
        The map (markers only for places located precisely enough).
    """
    import folium

    from geo.data.placement import DEFAULT_MAX_ACCURACY_M
    from geo.maps.basemaps import add_basemap, resolve_basemap
    from geo.maps.furniture import TileNotice
    from geo.maps.safe import Popup, Tooltip, VerbatimText, html_text

    fmap = folium.Map(location=[29.58, 106.40], zoom_start=11, tiles=None)
    add_basemap(fmap, resolve_basemap(basemap))
    TileNotice().add_to(fmap)  # says so when the tiles cannot load
    _add_outline(fmap, features)
    if max_accuracy_m is None:
        max_accuracy_m = DEFAULT_MAX_ACCURACY_M
    points, coarse = _marker_points(judged, places, lookup, features, max_accuracy_m)
    nowhere = set(map(str, judged["place_key"])) - set(points) - set(coarse)
    names = {}
    if features is not None and {"id", "name_zh"} <= set(getattr(features, "columns", ())):
        names = dict(zip(features["id"].astype(str), features["name_zh"].astype(str), strict=True))
    listed = _listed_html(judged, coarse, nowhere, names, max_accuracy_m)
    # the list holds data: placed verbatim, never compiled as a template
    cast("Figure", fmap.get_root()).html.add_child(
        VerbatimText(_furniture_html(listed)), name="geo_claims_furniture"
    )
    if not points:
        return fmap
    colours = _VERDICT_COLOURS
    for key, grp in judged.groupby("place_key", sort=False):
        geom = points.get(str(key))
        if geom is None:
            continue
        worst = _worst(grp)
        items = _claim_items(grp)
        marker = folium.CircleMarker(
            location=[geom.y, geom.x],
            radius=7,
            color=colours[worst],
            fill=True,
            fill_opacity=0.8,
        )
        marker.add_child(Popup(f"<b>{html_text(key)}</b><ul>{items}</ul>", max_width=420))
        marker.add_child(Tooltip(html_text(f"{key}: {worst}")))
        marker.add_to(fmap)
    return fmap
