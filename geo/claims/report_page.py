"""The claims page: every claim with its verdict as one sortable, filterable table.

The page is one HTML file with its own style and script; it fetches nothing, and
every value from the ledger is HTML-escaped.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from geo.claims.verdicts import VERDICTS, summarise

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["report_html"]

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
    judged
        Claims with verdicts.
    missing
        Data that was not available.
    map_href
        Relative link to the map page, if one was written.

    Returns
    -------
    str
        The page.
    """
    from geo.report.render import unit_text

    esc = html.escape
    summary = summarise(judged)
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
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in VERDICTS)
    counts = " · ".join(f"{esc(r.verdict)}: {r.claims}" for r in summary.itertuples())
    miss = ""
    if missing:
        miss = "<p>Not available for this run: " + esc("; ".join(missing)) + "</p>"
    link = f'<p><a href="{esc(map_href)}">Map of the claims’ places</a></p>' if map_href else ""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
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
