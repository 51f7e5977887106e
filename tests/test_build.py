"""The site build: byte-identical pages, and rebuilding exactly what changed.

The site is built from the small layers of ``tests/data/maps`` (copied, so a test
may edit one), with the page steps only: the prints, claims and thumbnails have
their own tests and take longer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from branca.element import Element

import geo.site.build as build_module
from geo.data.catalog import read_catalog
from geo.data.digests import frame_digest, key_of
from geo.data.layers import _load_layer
from geo.data.reads import Recording
from geo.figures.specs import FIGURES as FIGURE_SPECS
from geo.figures.specs import figure_by_id
from geo.maps import MissingLayerWarning, resolve_basemap
from geo.maps.ids import stable_ids
from geo.maps.site import figure_page
from geo.site import state as sitebuild
from geo.site.build import build_site
from geo.site.cache import MANIFEST_NAME, Manifest
from geo.site.state import SITE_STEPS

DATA = Path(__file__).parent / "data" / "maps"
PAGES = ("offline", "online", "index")
FIGURES = (*FIGURE_SPECS, "overview")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A copy of the fixture layers, used as the layers folder."""
    folder = tmp_path / "layers"
    shutil.copytree(DATA, folder)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(folder))
    return folder


def run(out: Path) -> dict[str, list[str]]:
    """Build the pages; return the units built and reused over all steps."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        steps = build_site(out, steps=PAGES, progress=None)
    return {
        "built": sorted(u for s in steps[1:] for u in s.built),
        "reused": sorted(u for s in steps[1:] for u in s.reused),
    }


def pages(kind: str, ids: tuple[str, ...] = FIGURES) -> list[str]:
    return sorted(f"{kind}:{i}" for i in ids)


# --------------------------------------------------------------------------- ids
def test_ids_inside_the_block_come_from_a_counter_and_random_ones_return_after():
    with stable_ids("page"):
        first = [Element()._id for _ in range(3)]
    with stable_ids("page"):
        again = [Element()._id for _ in range(3)]
    with stable_ids("other"):
        other = Element()._id
    outside = {Element()._id for _ in range(3)}
    assert first == again
    assert len(set(first)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in first)
    assert first[0][-3:] == "001"
    assert first[2][-3:] == "003"
    assert other != first[0]
    assert not outside & set(first)
    assert len(outside) == 3  # random again: three different ids


def _page(fig_id: str) -> str:
    cat = read_catalog(DATA / "catalog.yaml")
    layers = {s.id: _load_layer(s.id, catalog=cat) for s in cat}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        return figure_page(figure_by_id(fig_id, cat), layers, cat, resolve_basemap("none"), True)


@pytest.mark.parametrize("fig_id", ["fig2", "overview"])
def test_a_figure_built_twice_gives_the_same_bytes(monkeypatch, fig_id):
    monkeypatch.setenv("GEO_LAYERS_DIR", str(DATA))
    first, second = _page(fig_id), _page(fig_id)
    assert first == second
    # the ids the page's scripts use are defined in it: nothing refers to a lost id
    names = set(re.findall(r"\b([a-z_]+_[0-9a-f]{32})\b", first))
    defined = set(re.findall(r"var ([a-z_]+_[0-9a-f]{32})\b", first))
    assert names
    assert names <= defined | {n for n in names if f'id="{n}"' in first}


@pytest.mark.slow
def test_a_figure_gives_the_same_bytes_in_another_process_and_hash_seed(monkeypatch, tmp_path):
    monkeypatch.setenv("GEO_LAYERS_DIR", str(DATA))
    script = (
        "import sys; sys.path.insert(0, sys.argv[2]); from test_build import _page; "
        "open(sys.argv[1], 'w', encoding='utf-8').write(_page('fig8'))"
    )
    outputs = []
    for seed in ("1", "2"):
        path = tmp_path / f"fig8-{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", script, str(path), str(Path(__file__).parent)],
            env=env,
            check=True,
        )
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


# --------------------------------------------------------------------------- incremental
def test_a_second_build_with_nothing_changed_rebuilds_nothing(data, tmp_path):
    out = tmp_path / "site"
    first = run(out)
    assert first["built"] == sorted([*pages("offline"), *pages("online"), "offline-index", "index"])
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    second = run(out)
    assert second["built"] == []
    assert len(second["reused"]) == len(first["built"])
    assert {p: p.read_bytes() for p in out.rglob("*.html")} == before


@pytest.mark.slow
def test_changing_one_layer_rebuilds_only_the_pages_that_draw_it(data, tmp_path):
    out = tmp_path / "site"
    run(out)
    layer = data / "science_parks.geojson"
    doc = json.loads(layer.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["name_zh"] = "改名的科技公园"
    layer.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    again = run(out)
    # the catalog draws science parks on Figure 8; the overview draws every layer
    drawn_on = ("fig8", "overview")
    assert again["built"] == sorted([*pages("offline", drawn_on), *pages("online", drawn_on)])
    assert "改名的科技公园" in (out / "fig8.html").read_text(encoding="utf-8")


GAZETTEER = (
    "name_zh,name_en,aliases,kind,lon,lat,source_datum,source,accuracy_m,note,within\n"
    "梁滩河谷,Liangtan valley,,park,106.330000,29.640000,wgs84,fixture,400,,\n"
    "西永,Xiyong,,town,106.300000,29.600000,wgs84,fixture,800,,\n"
    "土主,Tuzhu,,town,106.400000,29.700000,wgs84,fixture,800,,\n"
)


@pytest.fixture
def placed(data):
    """The fixture layers with a gazetteer: the science park stands on 梁滩河谷, and
    the Chongqing Normal University campus, known only to ±2.8 km, stands as a
    schematic symbol near 西永; 土主 is named by no feature."""
    (data / "gazetteer.csv").write_text(GAZETTEER, encoding="utf-8")
    parks = data / "science_parks.geojson"
    doc = json.loads(parks.read_text(encoding="utf-8"))
    doc["features"][0]["geometry"] = None
    doc["features"][0]["properties"]["place"] = "梁滩河谷"
    parks.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    campuses = data / "campuses.geojson"
    doc = json.loads(campuses.read_text(encoding="utf-8"))
    doc["features"][1]["geometry"] = None
    doc["features"][1]["properties"].update(place="西永", accuracy_m=2000.0)
    campuses.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return data


def _edit_gazetteer(data: Path, name: str, lon: str) -> None:
    path = data / "gazetteer.csv"
    rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = [
        re.sub(r",1\d\d\.\d+,", f",{lon},", r, count=1) if r.startswith(name) else r for r in rows
    ]
    assert edited != rows
    path.write_text("".join(edited), encoding="utf-8")


@pytest.mark.slow
def test_moving_a_place_rebuilds_only_the_pages_that_draw_a_feature_there(placed, tmp_path):
    out = tmp_path / "site"
    run(out)
    _edit_gazetteer(placed, "梁滩河谷", "106.335000")
    again = run(out)
    drawn_on = ("fig8", "overview")  # the science parks' figures
    assert again["built"] == sorted([*pages("offline", drawn_on), *pages("online", drawn_on)])
    assert "106.335" in (out / "fig8.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_moving_the_place_a_schematic_symbol_stands_near_rebuilds_its_figures(placed, tmp_path):
    out = tmp_path / "site"
    run(out)
    before = (out / "fig6.html").read_text(encoding="utf-8")
    _edit_gazetteer(placed, "西永", "106.310000")
    again = run(out)
    drawn_on = ("fig3", "fig6", "overview")  # the campuses' figures draw its symbol
    assert again["built"] == sorted([*pages("offline", drawn_on), *pages("online", drawn_on)])
    assert (out / "fig6.html").read_text(encoding="utf-8") != before  # the symbol moved


@pytest.mark.slow
def test_moving_a_place_reprints_only_the_figures_that_draw_it(placed, tmp_path, monkeypatch):
    from geo.site import steps as site_steps

    monkeypatch.setitem(site_steps.PRINT_SETTINGS, "dpi", 30.0)
    out = tmp_path / "site"
    steps = ("report", "print")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_site(out, jobs=1, steps=steps, progress=None)
        _edit_gazetteer(placed, "梁滩河谷", "106.335000")
        again = build_site(out, jobs=1, steps=steps, progress=None)
    built = {s.name: s.built for s in again[1:]}
    # the science parks are on Figure 8 and the overview; report.pdf holds every print
    assert built["print"] == ["print:fig8", "print:overview", "report-pages"]


def test_the_pages_are_written_while_the_prints_draw_and_the_index_waits_for_them(
    data, tmp_path, monkeypatch
):
    from geo.site import steps as site_steps

    ran = []
    monkeypatch.setattr(site_steps, "start_prints", lambda build: None)
    chosen = ("report", "claims", "print", "offline", "online", "figures", "index")
    for name in chosen:
        monkeypatch.setitem(SITE_STEPS, name, lambda build, step, name=name: ran.append(name))
    results = build_site(tmp_path / "site", steps=chosen, progress=None)
    # collecting the prints waits for their workers: every page step goes first, and
    # the index, which links the prints, after
    assert ran == ["report", "claims", "offline", "online", "figures", "print", "index"]
    assert [r.name for r in results] == ["load", *ran]


def test_the_prints_draw_while_the_other_steps_run_and_stop_with_the_build(
    data, tmp_path, monkeypatch
):
    from geo.site import steps as site_steps

    monkeypatch.setitem(site_steps.PRINT_SETTINGS, "dpi", 30.0)
    started, runs = [], []

    def report(build, step):
        started.append([sp.id for sp in build.prints[1].specs])
        runs.append(build.prints[1])
        raise RuntimeError("the report failed")

    monkeypatch.setitem(SITE_STEPS, "report", report)
    with pytest.raises(RuntimeError, match="the report failed"):
        build_site(tmp_path / "site", jobs=2, steps=("report", "print"), progress=None)
    assert started == [list(FIGURES)]  # every print was drawing before the first step
    assert runs[0]._pool is None  # and the workers were stopped with the build


@pytest.mark.slow
def test_the_report_is_computed_once_for_the_tables_and_the_report_pages(
    placed, tmp_path, monkeypatch
):
    import geo.report.sections
    from geo.site import steps as site_steps

    monkeypatch.setitem(site_steps.PRINT_SETTINGS, "dpi", 30.0)
    calls = []
    original = geo.report.sections.build_report

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(geo.report.sections, "build_report", counted)
    out = tmp_path / "site"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_site(out, jobs=1, steps=("report", "print"), progress=None)
    assert len(calls) == 1
    manifest = Manifest(out)
    # the report pages are keyed by what computing the report read, too
    assert set(manifest.reads_of("report")) <= set(manifest.reads_of("report-pages"))


@pytest.mark.slow
def test_each_figure_is_depicted_once_per_build_and_its_pages_are_those_drawn_alone(
    placed, tmp_path, monkeypatch
):
    """The offline and online pages and figures.json share one depiction per figure,
    and sharing it changes no byte: each offline page is the page drawn on its own."""
    import geo.figures.depiction as depiction

    calls: list[str] = []
    original = depiction._depict

    def counted(spec, *args):
        calls.append(spec.id)
        return original(spec, *args)

    monkeypatch.setattr(depiction, "_depict", counted)
    out = tmp_path / "site"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_site(out, steps=("offline", "online", "figures"), progress=None)
    assert sorted(calls) == sorted(FIGURES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = build_module.load_inputs()
        for fid in FIGURES:
            spec = figure_by_id(fid, inputs.catalog)
            page = figure_page(
                spec, inputs.layers, inputs.catalog, resolve_basemap("none"), True, inputs.places
            )
            assert (out / "offline" / f"{fid}.html").read_text(encoding="utf-8") == page
    assert len(calls) == 2 * len(FIGURES)  # drawn alone, nothing is shared


@pytest.mark.slow
def test_editing_a_place_no_feature_names_rebuilds_nothing(placed, tmp_path):
    out = tmp_path / "site"
    run(out)
    _edit_gazetteer(placed, "土主", "106.410000")
    assert run(out)["built"] == []


@pytest.mark.slow
def test_a_catalog_title_rebuilds_only_the_pages_showing_that_layer(data, tmp_path):
    out = tmp_path / "site"
    run(out)
    path = data / "catalog.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title_en: Science parks", "title_en: Parks of science"), "utf-8")
    again = run(out)
    drawn_on = ("fig8", "overview")
    assert again["built"] == sorted([*pages("offline", drawn_on), *pages("online", drawn_on)])
    assert "Parks of science" in (out / "fig8.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_deleted_or_edited_output_is_rebuilt(data, tmp_path):
    out = tmp_path / "site"
    run(out)
    original = (out / "fig3.html").read_bytes()
    (out / "offline" / "fig5.html").unlink()
    (out / "fig3.html").write_text("edited by hand", encoding="utf-8")
    again = run(out)
    assert again["built"] == ["offline:fig5", "online:fig3"]
    assert (out / "offline" / "fig5.html").is_file()
    assert (out / "fig3.html").read_bytes() == original


@pytest.mark.slow
def test_a_deleted_shared_asset_is_written_again(data, tmp_path):
    out = tmp_path / "site"
    run(out)
    asset = sorted((out / "assets").iterdir())[0]
    content = asset.read_bytes()
    asset.unlink()
    again = run(out)
    # every page loads it: the first one rebuilt writes it back, the rest find it intact
    assert again["built"] == ["online:fig1"]
    assert asset.read_bytes() == content


@pytest.mark.slow
def test_a_new_code_version_rebuilds_everything(data, tmp_path, monkeypatch):
    out = tmp_path / "site"
    run(out)
    monkeypatch.setattr(sitebuild, "code_version", lambda: "another version of geo")
    again = run(out)
    assert again["built"] == sorted([*pages("offline"), *pages("online")])


@pytest.mark.slow
def test_a_lost_manifest_rebuilds_everything(data, tmp_path):
    out = tmp_path / "site"
    run(out)
    (out / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    assert len(run(out)["built"]) == 2 * len(FIGURES)


# --------------------------------------------------------------------------- parts
def test_recording_notes_every_id_looked_up():
    rec = Recording({"a": 1, "b": 2, "c": 3})
    assert rec["a"] == 1
    assert "z" not in rec
    assert rec.get("b") == 2
    assert rec.seen == {"a", "b", "z"}
    dict(rec)  # reading all of them depends on all of them
    assert rec.seen == {"a", "b", "c", "z", "*"}


def test_reads_note_each_catalog_field_and_place_looked_up(tmp_path):
    from geo.data.gazetteer import load_gazetteer
    from geo.data.reads import Reads

    (tmp_path / "gazetteer.csv").write_text(GAZETTEER, encoding="utf-8")
    reads = Reads(
        {}, read_catalog(DATA / "catalog.yaml"), load_gazetteer(tmp_path / "gazetteer.csv")
    )
    assert reads.catalog["science_parks"].title_en == "Science parks"
    assert reads.catalog["science_parks"].id == "science_parks"  # the id is the key itself
    assert "西永" in reads.gazetteer
    assert reads.gazetteer.lookup("梁滩河谷").lon == 106.33
    assert reads.seen() == {"catalog:science_parks.title_en", "place:西永", "place:梁滩河谷"}
    assert "place:*" not in reads.seen()
    assert len(list(reads.gazetteer)) == 3
    assert "place:*" in reads.seen()  # iterating reads every place


def test_a_shared_result_is_computed_once_and_each_unit_notes_what_computing_it_read():
    from geo.data.reads import Reads, reads_of

    catalog = read_catalog(DATA / "catalog.yaml")
    shared: dict = {}
    first, second = (Reads({"a": 1, "b": 2}, catalog, None, shared) for _ in range(2))
    computed = []

    def compute(reads):
        computed.append(reads)
        return reads.layers["a"], reads.catalog["science_parks"].title_en

    assert first.layers["b"] == 2  # read by the first unit before, not by the computation
    assert first.shared("k", compute) == (1, "Science parks")
    assert second.shared("k", compute) == (1, "Science parks")
    assert len(computed) == 1
    assert computed[0] not in (first, second)
    assert second.seen() == {"a", "catalog:science_parks.title_en"}
    assert first.seen() == {"a", "b", "catalog:science_parks.title_en"}
    assert reads_of(second.layers) is second
    assert reads_of({"a": 1}) is None
    alone = Reads({"a": 1}, catalog)  # no shared store: computed on these reads each time
    assert alone.shared("k", compute) == (1, "Science parks")
    assert computed[-1] is alone
    assert alone.seen() == {"a", "catalog:science_parks.title_en"}


def test_frame_digest_follows_content_not_identity(monkeypatch):
    monkeypatch.setenv("GEO_LAYERS_DIR", str(DATA))
    cat = read_catalog(DATA / "catalog.yaml")
    parks = _load_layer("science_parks", catalog=cat)
    same = _load_layer("science_parks", catalog=cat)
    renamed = parks.copy()
    renamed.loc[renamed.index[0], "name_zh"] = "别的名字"
    moved = parks.copy()
    moved.geometry = moved.geometry.translate(1e-6, 0)
    digests = {frame_digest(g) for g in (renamed, moved)}
    assert frame_digest(parks) == frame_digest(same)
    assert frame_digest(parks) not in digests
    assert len(digests) == 2


def test_manifest_is_fresh_only_with_the_same_key_and_intact_files(tmp_path):
    page = tmp_path / "a.html"
    page.write_text("one", encoding="utf-8")
    manifest = Manifest(tmp_path)
    key = key_of("unit", ["settings"])
    manifest.record("unit", key, [page], ["district"])
    manifest.save()
    reread = Manifest(tmp_path)
    assert reread.fresh("unit", key)
    assert reread.reads_of("unit") == ["district"]
    assert not reread.fresh("unit", key_of("unit", ["other settings"]))
    assert not reread.fresh("other unit", key)
    page.write_text("two", encoding="utf-8")
    assert not reread.fresh("unit", key)


# --------------------------------------------------------------------------- command
def test_geo_site_prints_a_line_per_step_and_fails_when_a_layer_is_not_drawn(
    monkeypatch, tmp_path, capsys
):
    from geo.cli import main
    from geo.site.state import StepResult

    calls = []

    def fake(out, jobs, steps, units=None):
        calls.append((Path(out), jobs, list(steps)))
        assert callable(units)  # told of each print inside the print step
        load = StepResult("load", notes=["layer rings not drawn: too large"])
        return [load, StepResult("offline", built=["offline:fig1"], notes=["fig1: a warning"])]

    monkeypatch.setattr(build_module, "build_site", fake)
    status = main(["site", "--out", str(tmp_path), "--jobs", "1", "--no-thumbnails"])
    captured = capsys.readouterr()
    assert status == 1
    assert calls == [(tmp_path, 1, [s for s in build_module.STEPS if s != "thumbnails"])]
    assert "warning: layer rings not drawn: too large" in captured.err
    assert "warning: fig1: a warning" in captured.err
    assert f"site: {tmp_path / 'index.html'}" in captured.out


def test_progress_lines_say_built_or_reused_and_what_was_built():
    from geo.site.state import StepResult

    assert StepResult("claims", reused=["claims"], seconds=0.04).line() == (
        "claims      reused     0.0 s"
    )
    line = StepResult("online", built=["online:fig8"], reused=["online:fig1"], seconds=1.3).line()
    assert line == "online      built      1.3 s  1 of 2 (online:fig8)"


def test_backups_lock_and_journal_are_not_inputs(data):
    """What the toolkit keeps beside the data (hidden files) does not rebuild anything."""
    from geo.site.build import load_inputs

    before = load_inputs().files
    (data / ".backup").mkdir(exist_ok=True)
    (data / ".backup" / "projects.20261127T000000Z.geojson").write_text("{}", "utf-8")
    (data / ".geo.lock").write_text("", "utf-8")
    assert load_inputs().files == before
    (data / "notes.csv").write_text("a\n", "utf-8")  # a visible file is data
    assert load_inputs().files["data"] != before["data"]


@pytest.mark.slow
def test_claims_and_locate_pages_are_the_same_bytes_from_any_command(tmp_path):
    """`geo claims` and `geo gazetteer locate` give what `geo site` gives: stable ids."""
    from geo import Project
    from geo import claims as cl
    from geo.maps.locate import locate_page

    context = cl.load_context(Project())
    first = cl.write_outputs(tmp_path / "a", context, basemap="none")
    second = cl.write_outputs(tmp_path / "b", context, basemap="none")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    gaz, none = Project().gazetteer, resolve_basemap("none")
    assert locate_page(gaz, none) == locate_page(gaz, none)
