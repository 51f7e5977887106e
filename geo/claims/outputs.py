"""Every claims output written to one folder: the page, the map, CSV and Markdown."""

from __future__ import annotations

from pathlib import Path

from geo.claims.context import ClaimsContext, judge, load_context
from geo.claims.verdicts import summary_markdown

__all__ = ["OUTPUT_FILES", "write_outputs"]

#: The files :func:`write_outputs` writes, in order.
OUTPUT_FILES: tuple[str, ...] = ("map.html", "index.html", "claims_report.csv", "claims_report.md")


def write_outputs(
    out_dir: str | Path, context: ClaimsContext | None = None, basemap: str = "osm"
) -> list[Path]:
    """Judge the claims and write ``index.html``, ``map.html`` and the reports.

    ``index.html`` is the sortable, filterable table of every claim with its
    verdict (:func:`geo.claims.report_page.report_html`); ``map.html`` the map of
    their places (:func:`geo.claims.map_page.claims_map`), self-contained
    (Leaflet and its plugins inlined): the only addresses it fetches are the
    tiles, and with ``basemap="none"`` it fetches nothing. ``claims_report.csv``
    holds every claim with its verdict, ``claims_report.md`` the summary.

    Parameters
    ----------
    out_dir
        Folder to write into (created if needed), e.g. ``site/claims``.
    context
        The ledger and the checks' inputs; :func:`geo.claims.load_context` when
        omitted.
    basemap
        Tiles of the map (:data:`geo.maps.BASEMAP_NAMES`); ``none`` for no tiles.

    Returns
    -------
    list of Path
        The files written, in :data:`OUTPUT_FILES` order.
    """
    from geo._io import atomic_write_text
    from geo.claims.map_page import claims_map
    from geo.claims.report_page import report_html
    from geo.maps import render_html
    from geo.maps.ids import stable_ids
    from geo.tables import csv_text

    ctx = load_context() if context is None else context
    judged, _results = judge(ctx)
    missing = list(ctx.missing)
    inputs = ctx.inputs
    with stable_ids("claims"):  # the same claims give the same bytes
        fmap = claims_map(
            judged, inputs.get("places"), inputs.get("lookup"), inputs.get("features"), basemap
        )
        page = render_html(
            fmap,
            offline=True,
            title="规划数据核查图 Claims map",
            skip_to="geo-claims-legend",
            skip_label="跳到图例 Skip to the legend",
        )
    texts = {
        "map.html": page,
        "index.html": report_html(judged, missing, "map.html"),
        "claims_report.csv": csv_text(judged),
        "claims_report.md": summary_markdown(judged, missing),
    }
    out = Path(out_dir)
    return [atomic_write_text(out / name, texts[name]) for name in OUTPUT_FILES]
