"""``geo claims``: check the claims ledger and report the verdicts.

``geo claims`` prints the count of claims by verdict; ``--format csv|json`` prints
every claim with its verdict instead; ``--strict`` exits 1 when any claim is in
conflict; ``--out DIR`` writes ``index.html`` (sortable, filterable table with the
quotes, and a link to ``map.html``), ``map.html``, ``claims_report.csv`` and
``claims_report.md`` into ``DIR``. The map is self-contained (Leaflet inlined):
it opens on an intranet with no internet; ``--basemap none`` drops the tiles too.

``geo claims --link`` fills the ledger's ``feature_id`` column from the layers
(:func:`geo.claims.link_features`), prints what changed and rewrites
``layers/claims.csv`` atomically; add ``--dry-run`` to only print.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli._lazy import lazy_choices

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "claims_map",
    "link_ledger",
    "load_context",
    "main",
    "register",
    "report_html",
    "run",
    "write_claims_report",
]


def load_context() -> tuple[dict[str, Any], list[str]]:
    """Load the catalog's layers and the gazetteer for the checks.

    A layer that does not load is left out and named in the returned list, so the
    checks that need it say ``cannot verify`` and the report says why.

    Returns
    -------
    tuple of (dict, list of str)
        Keyword arguments for :func:`geo.claims.run_checks` and what was missing.
    """
    from geo import claims as cl
    from geo.cli import USER_ERRORS
    from geo.gazetteer import load_gazetteer
    from geo.layers import load_each, read_catalog

    missing: list[str] = []
    gaz = None
    try:
        gaz = load_gazetteer()
    except USER_ERRORS as exc:
        missing.append(f"gazetteer: {exc}")
    catalog = read_catalog()
    frames, failed = load_each(catalog, USER_ERRORS)
    missing += [f"layer {lid}: {str(exc).splitlines()[0]}" for lid, exc in failed.items()]
    return cl.context_from_layers(frames, catalog, gaz), missing


def judge(
    ledger: pd.DataFrame | None = None,
    context: tuple[dict[str, Any], list[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Run every check on the ledger with whatever context exists.

    Parameters
    ----------
    ledger : pandas.DataFrame, optional
        Defaults to :func:`geo.claims.read_ledger`.
    context : tuple, optional
        The output of :func:`load_context` (loaded when omitted).

    Returns
    -------
    tuple
        Claims with verdicts, raw check results, and the list of missing data.
    """
    from geo import claims as cl

    claims = cl.read_ledger() if ledger is None else ledger
    ctx, missing = load_context() if context is None else context
    results = cl.run_checks(claims, **ctx)
    judged = cl.verdicts(claims, results)
    lookup: Callable[[str], str] | None = ctx.get("lookup")
    judged.insert(3, "place_key", [cl.normalise_place(p, lookup) for p in judged["place"]])
    return judged, results, list(missing)


def link_ledger(
    path: str | Path | None = None,
    layers: dict[str, Any] | None = None,
    lookup: Callable[[str], str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute the ledger's ``feature_id`` column from the layers (nothing written).

    Parameters
    ----------
    path : str or Path, optional
        The ledger; default :func:`geo.claims.ledger_path`.
    layers : dict of str to GeoDataFrame, optional
        Layers by id in catalog order; default every catalog layer, derived included.
    lookup : callable, optional
        Gazetteer name resolver; default the gazetteer's.

    Returns
    -------
    tuple of DataFrame
        The ledger as text with the new ``feature_id`` (for
        :func:`geo.claims.ledger_text`), and the changes (``claim_id, place, old,
        new``).
    """
    import pandas as pd

    from geo import claims as cl
    from geo.layers import load_layers, read_catalog

    path = Path(path) if path is not None else cl.ledger_path()
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if layers is None:
        layers = load_layers(catalog=read_catalog())
    if lookup is None:
        from geo.gazetteer import load_gazetteer

        lookup = cl.gazetteer_resolver(load_gazetteer())
    new = cl.link_features(cl.read_ledger(path), layers, lookup)
    changed = raw["feature_id"] != new.to_numpy()
    changes = pd.DataFrame(
        {
            "claim_id": raw.loc[changed, "claim_id"],
            "place": raw.loc[changed, "place"],
            "old": raw.loc[changed, "feature_id"],
            "new": new[changed.to_numpy()].to_numpy(),
        }
    )
    out = raw.copy()
    out["feature_id"] = new.to_numpy()
    return out, changes


_COLUMNS = [
    ("claim_id", "id"),
    ("place", "place as written"),
    ("place_key", "place"),
    ("metric", "metric"),
    ("qualifier", "qualifier"),
    ("value_written", "value"),
    ("unit_written", "unit"),
    ("value_si_low", "SI low"),
    ("value_si_high", "SI high"),
    ("si_unit", "SI unit"),
    ("verdict", "verdict"),
    ("reason", "reason"),
    ("source_file", "source"),
    ("line", "line"),
    ("quote", "quote"),
]

_JS = """
(function () {
  var table = document.getElementById('claims');
  var body = table.tBodies[0];
  var filter = document.getElementById('filter');
  var verdict = document.getElementById('verdict');
  function apply() {
    var q = filter.value.toLowerCase();
    var v = verdict.value;
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (tr) {
      var ok = (!q || tr.textContent.toLowerCase().indexOf(q) >= 0) &&
               (!v || tr.getAttribute('data-verdict') === v);
      tr.style.display = ok ? '' : 'none';
      if (ok) { shown += 1; }
    });
    document.getElementById('shown').textContent = shown;
  }
  filter.addEventListener('input', apply);
  verdict.addEventListener('change', apply);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('data-sort') !== 'asc';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) {
        o.removeAttribute('data-sort');
      });
      th.setAttribute('data-sort', asc ? 'asc' : 'desc');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute('data-key') || a.cells[i].textContent;
        var y = b.cells[i].getAttribute('data-key') || b.cells[i].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'zh');
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
"""

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px;
vertical-align:top}th{background:#f3f3f3;cursor:pointer;position:sticky;top:0}
th[data-sort=asc]::after{content:" ▲"}th[data-sort=desc]::after{content:" ▼"}
tr[data-verdict=conflict] td.v{background:#f8d0d0}tr[data-verdict=unsubstantiated] td.v
{background:#fbe7c0}tr[data-verdict=consistent] td.v{background:#d6efd6}
td.q{max-width:28em}td.r{max-width:36em}
"""


def report_html(judged: pd.DataFrame, missing: list[str], map_href: str | None) -> str:
    """Render the claims table as one HTML page (no external URLs; every value escaped).

    Parameters
    ----------
    judged : pandas.DataFrame
        Claims with verdicts.
    missing : list of str
        Data that was not available.
    map_href : str or None
        Relative link to the map page, if one was written.

    Returns
    -------
    str
        The page.
    """
    from geo import claims as cl
    from geo.report import unit_text

    esc = html.escape
    summary = cl.summarise(judged)
    head = "".join(f"<th>{esc(label)}</th>" for _, label in _COLUMNS)
    body_rows = []
    for rec in judged.to_dict("records"):
        cells = []
        for col, _ in _COLUMNS:
            val = rec.get(col, "")
            key = ""
            if col in ("value_si_low", "value_si_high", "line"):
                key = f' data-key="{esc(str(val))}"'
                val = "∞" if str(val) == "inf" else val
            cls = {"verdict": ' class="v"', "quote": ' class="q"', "reason": ' class="r"'}.get(
                col, ""
            )
            cells.append(f"<td{cls}{key}>{unit_text(val)}</td>")
        body_rows.append(f'<tr data-verdict="{esc(str(rec["verdict"]))}">{"".join(cells)}</tr>')
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in cl.VERDICTS)
    counts = " · ".join(f"{esc(r.verdict)}: {r.claims}" for r in summary.itertuples())
    miss = ""
    if missing:
        miss = "<p>Not available for this run: " + esc("; ".join(missing)) + "</p>"
    link = f'<p><a href="{esc(map_href)}">Map of the claims’ places</a></p>' if map_href else ""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>Claims ledger 数据核查</title>"
        f"<style>{_CSS}</style></head><body>"
        '<p><a href="../index.html">← 图集 Index</a></p>'
        "<h1>Claims ledger 规划数据核查</h1>"
        "<p>Every size, length, project count and investment figure that the plan and "
        "four news reports give for a named place, with its quote, its value in SI "
        "units and a computed verdict. Click a column heading to sort; type to filter.</p>"
        f"<p>{len(judged)} claims — {counts}</p>{miss}{link}"
        '<p><input id="filter" placeholder="filter 筛选…" size="30"> '
        f'<select id="verdict"><option value="">all verdicts</option>{options}</select> '
        'shown: <span id="shown"></span></p>'
        f'<table id="claims"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body_rows)
        + f"</tbody></table><script>{_JS}</script></body></html>"
    )


def _precise(rec: Mapping[str, Any], max_accuracy_m: float) -> bool:
    """Whether a feature or gazetteer record is located well enough to be a dot."""
    try:
        acc = float(rec.get("accuracy_m"))
    except (TypeError, ValueError):
        return False  # unknown accuracy: never drawn as a point
    return math.isfinite(acc) and acc <= max_accuracy_m


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
    from geo import claims as cl

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
                found.setdefault(cl.normalise_place(n, lookup), rec)
    points: dict[str, Any] = {}
    coarse: dict[str, str] = {}
    for key, rec in found.items():
        geom = rec["geometry"]
        if _precise(rec, max_accuracy_m):
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
    from geo import claims as cl

    return next(v for v in cl.VERDICTS if (grp["verdict"] == v).any() or v == "cannot verify")


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
) -> str:
    """Return the side list of places whose claims are not dotted, by area; escaped.

    ``names`` gives the display name of a zone id (``city-east`` → its name_zh).
    """
    from geo.maps.safe import html_text
    from geo.placement import DEFAULT_MAX_ACCURACY_M

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
        f"±{DEFAULT_MAX_ACCURACY_M:g} m, by the area they lie in</div>{blocks}</div>"
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
        '<div class="geo-claims-title"><b>规划数据核查图</b> Claims of the plan checked '
        "against the layers · 每点为一处地点，颜色为其最差核查结论 one dot per place, "
        "coloured by its worst verdict</div>"
        f'<div class="geo-claims-legend"><b>图例 Legend</b>{legend}'
        '<div><span class="geo-line"></span>沙坪坝区 Shapingba District</div></div>' + listed
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
    judged : pandas.DataFrame
        Claims with verdicts (column ``place_key``; ``feature_id`` if linked).
    places : geopandas.GeoDataFrame or None
        Gazetteer points (``name_zh``, ``aliases``, ``accuracy_m``, ``within``),
        EPSG:4326.
    lookup : callable, optional
        Gazetteer name resolver.
    features : geopandas.GeoDataFrame, optional
        Layer features by ``id``: a place's marker stands on its linked feature
        (an area's representative point), else on its gazetteer point. The
        ``district`` feature gives the outline.
    basemap : str, default ``"osm"``
        A :data:`geo.maps.BASEMAP_NAMES` value; ``none`` draws no tiles.
    max_accuracy_m : float, optional
        Largest ``accuracy_m`` drawn as a dot (default
        :data:`geo.placement.DEFAULT_MAX_ACCURACY_M`, 1000 m).

    Returns
    -------
    folium.Map
        The map (markers only for places located precisely enough).
    """
    import folium

    from geo.maps import resolve_basemap
    from geo.maps.basemaps import add_basemap
    from geo.maps.safe import Popup, Tooltip, VerbatimText, html_text
    from geo.placement import DEFAULT_MAX_ACCURACY_M

    fmap = folium.Map(location=[29.58, 106.40], zoom_start=11, tiles=None)
    add_basemap(fmap, resolve_basemap(basemap))
    _add_outline(fmap, features)
    if max_accuracy_m is None:
        max_accuracy_m = DEFAULT_MAX_ACCURACY_M
    points, coarse = _marker_points(judged, places, lookup, features, max_accuracy_m)
    nowhere = set(map(str, judged["place_key"])) - set(points) - set(coarse)
    names = {}
    if features is not None and {"id", "name_zh"} <= set(getattr(features, "columns", ())):
        names = dict(zip(features["id"].astype(str), features["name_zh"].astype(str), strict=True))
    listed = _listed_html(judged, coarse, nowhere, names)
    # the list holds data: placed verbatim, never compiled as a template
    fmap.get_root().html.add_child(
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


def write_claims_report(
    out_dir: str | Path,
    judged: pd.DataFrame | None = None,
    missing: list[str] | None = None,
    places: Any = None,
    lookup: Callable[[str], str] | None = None,
    features: Any = None,
    basemap: str = "osm",
) -> list[Path]:
    """Write ``index.html``, ``map.html``, ``claims_report.csv`` and ``claims_report.md``.

    ``map.html`` is self-contained (Leaflet and its plugins inlined, as
    ``geo maps --offline`` does): the only addresses it fetches are the tiles,
    and with ``basemap="none"`` it fetches nothing.

    Parameters
    ----------
    out_dir : str or Path
        Directory to write into (created if needed), e.g. ``site/claims``.
    judged : pandas.DataFrame, optional
        Claims with verdicts; computed from the ledger when omitted.
    missing : list of str, optional
        Data that was not available.
    places : geopandas.GeoDataFrame, optional
        Gazetteer points for the map.
    lookup : callable, optional
        Gazetteer name resolver.
    features : geopandas.GeoDataFrame, optional
        Layer features, to put a linked claim's marker on its feature.
    basemap : str, default ``"osm"``
        Tiles of the map (:data:`geo.maps.BASEMAP_NAMES`); ``none`` for no tiles.

    Returns
    -------
    list of Path
        The files written.
    """
    from geo import claims as cl
    from geo.layers import atomic_write_text
    from geo.maps import render_html
    from geo.tables import csv_text

    out = Path(out_dir)
    if judged is None:
        ctx, missing = load_context()
        judged, _results, missing = judge(context=(ctx, missing))
        places = ctx.get("places")
        lookup = ctx.get("lookup")
        features = ctx.get("features")
    missing = list(missing or [])
    fmap = claims_map(judged, places, lookup, features, basemap)
    texts = {
        "map.html": render_html(fmap, offline=True),
        "index.html": report_html(judged, missing, "map.html"),
        "claims_report.csv": csv_text(judged),
        "claims_report.md": cl.summary_markdown(judged, missing),
    }
    return [atomic_write_text(out / name, text) for name, text in texts.items()]


def _run_link(args: argparse.Namespace) -> int:
    """Handle ``geo claims --link [--dry-run]``."""
    from geo import claims as cl
    from geo._io import atomic_write_text, write_lock

    path = cl.ledger_path()
    dry_run = getattr(args, "dry_run", False)
    # read and write under the folder's lock, so no other writer's change is lost
    with contextlib.nullcontext() if dry_run else write_lock(path.parent):
        linked, changes = link_ledger(path)
        n_linked = int((linked["feature_id"] != "").sum())
        print(f"{n_linked} of {len(linked)} claims name a layer feature; {len(changes)} changed")
        if len(changes):
            print(changes.to_string(index=False))
        if dry_run:
            print("dry run: nothing written")
        elif len(changes):
            atomic_write_text(path, cl.ledger_text(linked))
            print(f"wrote {path}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Handle ``geo claims``.

    Parameters
    ----------
    args : argparse.Namespace
        ``strict`` (bool), ``out`` (path or None), ``format`` (table|csv|json),
        ``basemap`` (for ``--out``), ``link`` and ``dry_run`` (bool).

    Returns
    -------
    int
        Exit status: 1 with ``--strict`` when a conflict exists, else 0.
    """
    from geo import claims as cl
    from geo.tables import csv_text

    if getattr(args, "link", False):
        return _run_link(args)
    ctx, missing = load_context()
    judged, _results, missing = judge(context=(ctx, missing))
    fmt = getattr(args, "format", "table") or "table"
    if fmt == "csv":
        print(csv_text(judged), end="")
    elif fmt == "json":
        print(json.dumps(judged.to_dict("records"), ensure_ascii=False, default=str, indent=1))
    else:
        print(cl.summarise(judged).to_string(index=False))
        if missing:
            print("not available: " + "; ".join(missing))
    if getattr(args, "out", None):
        for p in write_claims_report(
            args.out,
            judged,
            missing,
            ctx.get("places"),
            ctx.get("lookup"),
            ctx.get("features"),
            getattr(args, "basemap", "osm") or "osm",
        ):
            print(f"wrote {p}")
    if getattr(args, "strict", False) and (judged["verdict"] == "conflict").any():
        return 1
    return 0


def register(subparsers: Any) -> None:
    """Add the ``claims`` subcommand.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``ArgumentParser.add_subparsers()``.
    """
    p = subparsers.add_parser(
        "claims",
        help="check the claims ledger and report verdicts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when any claim is in conflict")
    p.add_argument("--out", metavar="DIR", help="write the HTML/CSV/Markdown report into DIR")
    p.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )
    basemap = p.add_argument(
        "--basemap",
        default="osm",
        help="tiles of map.html (always self-contained otherwise); none: no tiles, fully offline",
    )
    lazy_choices(basemap, "geo.maps.basemaps", "BASEMAP_NAMES")
    p.add_argument(
        "--link",
        action="store_true",
        help="fill feature_id in layers/claims.csv from the layers, show the changes, rewrite it",
    )
    p.add_argument("--dry-run", action="store_true", help="with --link: show, do not write")
    p.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    """Run ``claims`` on its own (``python -m geo.cli.cmd_claims``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments after the program name.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(prog="geo")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["claims", *(argv or [])])
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main(__import__("sys").argv[1:]))
