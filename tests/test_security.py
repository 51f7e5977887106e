"""Data never becomes code: template injection, script in JS strings, CSV formulas.

A hostile fixture puts Jinja syntax, JavaScript template-literal syntax and
spreadsheet formulas into feature properties, layer titles and claims; the maps,
the claims map and every CSV writer must keep them as plain text.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point

from conftest import feature, square
from geo import claims as cl
from geo import report
from geo.cli import cmd_claims
from geo.cli import main as cli_main
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.maps import MissingLayerWarning, build_map, figure_by_id, render_html
from geo.maps.safe import html_text, js_string
from geo.maps.site import write_site
from geo.tables import neutralise_cell

DATA = Path(__file__).parent / "data" / "maps"
CLAIMS = Path(__file__).parent / "data" / "claims"

#: Evaluated by Jinja, this creates the folder named by $GEO_PWN (no quotes needed,
#: so HTML escaping alone does not break it).
EXEC = "{{ cycler.__init__.__globals__.os.mkdir(cycler.__init__.__globals__.os.environ.GEO_PWN) }}"
MATH = "{{7*7}} platforms"
BLOCK = "{% if true %}yes{% endif %} block"
COMMENT = "{# hidden #} comment"
KIND = "{{ 6*7 }}-kind"
PLACE = "{{6*7}}-place"  # place keys lose their spaces
JS = "${alert(1)} `tick` \\ </script> js"


def reader_text(page: str) -> str:
    """The text a reader sees: JSON ``\\u`` escapes and HTML references decoded."""
    for code in ("0026", "003c", "003e", "0027"):
        page = page.replace(f"\\u{code}", chr(int(code, 16)))
    return html.unescape(page)


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """The map fixture with hostile names, kinds, popup text and layer titles."""
    layers_dir = tmp_path / "layers"
    shutil.copytree(DATA, layers_dir)
    fc_path = layers_dir / "rd_platforms.geojson"
    fc = json.loads(fc_path.read_text(encoding="utf-8"))
    props = fc["features"][1]["properties"]
    props.update(name_zh=EXEC, name_en=BLOCK, kind=KIND, claims=JS)
    fc["features"][2]["properties"].update(name_zh=MATH, position_note=COMMENT)
    fc_path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    cat_path = layers_dir / "catalog.yaml"
    doc = yaml.safe_load(cat_path.read_text(encoding="utf-8"))
    spec = next(s for s in doc["layers"] if s["id"] == "rd_platforms")
    spec.update(title_zh=COMMENT, title_en=MATH, group=BLOCK)
    cat_path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    pwn = tmp_path / "pwned"
    monkeypatch.setenv("GEO_PWN", str(pwn))
    monkeypatch.setenv("GEO_LAYERS_DIR", str(layers_dir))
    cat = read_catalog(cat_path)
    layers = {s.id: _load_layer(s.id, catalog=cat) for s in cat}
    return cat, layers, pwn


def test_html_text_is_inert_for_jinja_and_template_literals():
    out = html_text(EXEC + JS + "<b>'\"&")
    assert not any(c in out for c in "{}$`\\<>'\"")
    assert html.unescape(out) == EXEC + JS + "<b>'\"&"


def test_js_string_cannot_close_the_script():
    out = js_string(JS)
    assert "</script>" not in out
    assert json.loads(out) == JS


def test_template_syntax_in_data_is_never_run_on_a_figure(hostile):
    cat, layers, pwn = hostile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        page = render_html(build_map(figure_by_id("fig3", cat), layers, cat, "none"))
    assert not pwn.exists()  # the payload did not run
    text = reader_text(page)
    for literal in (EXEC, MATH, BLOCK, COMMENT, KIND, JS):
        assert literal in text, literal  # popups, tooltips, legend, layer control
    assert "49 platforms" not in text
    assert "42-kind" not in text
    assert "yes block" not in text


def test_every_page_of_the_site_keeps_template_syntax_as_text(hostile, tmp_path):
    cat, layers, pwn = hostile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        write_site(tmp_path / "site", layers, cat, "none", offline=False)
    assert not pwn.exists()
    for page in (tmp_path / "site").glob("*.html"):
        text = reader_text(page.read_text(encoding="utf-8"))
        assert "49 platforms" not in text, page.name
        assert "42-kind" not in text, page.name


def _hostile_claims(quote: str, place: str) -> tuple:
    mini = cl.read_ledger(CLAIMS / "mini_ledger.csv")
    evil = mini.copy()
    first = evil["claim_id"] == evil["claim_id"].iloc[0]
    evil.loc[first, "quote"] = quote
    evil["place"] = evil["place"].where(~first, place)
    places = gpd.GeoDataFrame(
        {"name_zh": [place], "aliases": [""]}, geometry=[Point(106.4, 29.6)], crs=4326
    )
    return cl.ClaimsContext({"places": places}, (), evil)


def test_claims_map_keeps_template_and_script_syntax_as_text(tmp_path, monkeypatch):
    pwn = tmp_path / "pwned"
    monkeypatch.setenv("GEO_PWN", str(pwn))
    cl.write_outputs(tmp_path, _hostile_claims(f"{EXEC} {JS} {MATH}", PLACE), "none")
    assert not pwn.exists()
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    text = reader_text(page)
    assert EXEC in text
    assert MATH in text
    assert PLACE in text
    assert "49 platforms" not in text
    assert "42-place" not in text
    assert "${alert(1)}" not in page  # never as source a template literal could run


# --------------------------------------------------------------------------- CSV formulas
FORMULAS = ["=1+2", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


def cells(text: str) -> list[str]:
    """Every cell of a CSV text, header included."""
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def assert_neutral(text: str) -> None:
    """No cell of ``text`` starts a formula unless it is a plain number."""
    for cell in cells(text):
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a number may start so


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_text_is_quoted(value):
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", [-3.5, -2, "-12.5", "+4", "1e-3", "-.5", "name", "", None])
def test_numbers_and_plain_text_are_unchanged(value):
    assert neutralise_cell(value) == value


def _hostile_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"name_zh": FORMULAS, "area_km2": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0], "=col": ["-7"] * 6}
    )


def test_report_csv_neutralises_formulas_and_keeps_numbers():
    rep = report.Report("t", [report.Section("zones", "z", "i", _hostile_table())])
    text = report.report_csv(rep)["zones.csv"]
    assert_neutral(text)
    back = pd.read_csv(io.StringIO(text, newline=""))
    assert back["area_km2"].tolist() == [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0]  # numbers stay numbers
    assert back["'=col"].tolist() == [-7] * 6
    assert back["name_zh"].tolist() == ["'" + v for v in FORMULAS]


def test_report_markdown_escapes_html_and_pipes():
    table = pd.DataFrame({"name_zh": ["<img src=x onerror=alert(1)>", "a|b"]})
    sec = report.Section("zones", "<b>t</b>", "<script>x</script>", table, ["<i>n</i>"])
    md = report.report_markdown(report.Report("<h1>r</h1>", [sec], ["<u>w</u>"]))
    for tag in ("<img", "<b>", "<script>", "<i>", "<h1>", "<u>"):
        assert tag not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "| a\\|b |" in md


def test_measure_csv_output_neutralises_formulas(write_fc, capsys):
    feats = [
        feature(f"f{i}", square(106.4 + i / 50, 29.5), name_zh=v) for i, v in enumerate(FORMULAS)
    ]
    path = write_fc(feats, kind="=HYPERLINK(1)")
    assert cli_main(["area", str(path), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert_neutral(out)
    assert "'=1+2" in cells(out)


def test_claims_csv_outputs_neutralise_formulas(tmp_path, monkeypatch, capsys):
    context = _hostile_claims("=HYPERLINK(1)", "@SUM(1)")
    cl.write_outputs(tmp_path, context, "none")
    written = (tmp_path / "claims_report.csv").read_text(encoding="utf-8")
    assert_neutral(written)
    assert "'=HYPERLINK(1)" in cells(written)
    monkeypatch.setattr(cl, "load_context", lambda: context)
    assert cmd_claims.run(argparse.Namespace(strict=False, out=None, format="csv")) == 0
    printed = capsys.readouterr().out
    assert_neutral(printed)
    assert "'@SUM(1)" in cells(printed)
