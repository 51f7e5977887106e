"""The incubator clusters on the maps, a mission layer never silently empty, clean titles.

The plan names three incubator clusters with floor-area targets (专栏 1,
``002_8a077782b689f185.txt`` L280-284). They are drawn as schematic zones from their
best-known geometry, labelled with the target; a figure whose ``must_see`` depends on
a layer with no features is a build error; title blocks carry no technical notes; the
index says only what each figure draws.
"""

from __future__ import annotations

import json
import re
import warnings

import geopandas as gpd
import pytest

from geo._data import sources_dir
from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.gazetteer import load_gazetteer
from geo.errors import EmptyMustSeeLayerError, MissingLayerWarning
from geo.figures.labels import figure_labels
from geo.figures.specs import all_specs, figure_by_id
from geo.maps import render_html
from geo.maps.builder import build_map
from geo.maps.site import check_must_see, first_glance, index_html, write_site
from geo.printing import draw_figure
from geo.printing.furniture import GIDS
from geo.project import load_for_maps

#: Cluster id, the plan's name and its floor-area target in 万 m² (专栏 1).
CLUSTERS = (
    ("cluster-shabin", "沙滨路", 30),
    ("cluster-jingyun", "菁云湖", 50),
    ("cluster-wuyun", "五云湖", 60),
)


@pytest.fixture(scope="module")
def data():
    catalog = read_catalog()
    layers, _ = load_for_maps(catalog)
    return catalog, layers


def _plan_line(ref: str) -> str:
    number = int(re.search(r":L(\d+)", ref).group(1))
    text = (sources_dir() / "002_8a077782b689f185.txt").read_text(encoding="utf-8")
    return text.splitlines()[number - 1]


def _without(layers: dict, lid: str) -> dict:
    """The layers with ``lid`` emptied (its columns kept)."""
    return {**layers, lid: layers[lid].iloc[0:0]}


# --------------------------------------------------------------------------- the zones
@pytest.mark.parametrize(("fid", "name", "target"), CLUSTERS)
def test_each_cluster_is_a_schematic_zone_with_the_plans_target(data, fid, name, target):
    _, layers = data
    clusters = layers["clusters"].set_index("id")
    assert fid in clusters.index, f"{fid} is not drawn"
    row = clusters.loc[fid]
    line = _plan_line(row["plan_ref"])
    assert f"{name}孵化器集群" in line
    assert f"超过 {target} 万平方米" in line
    assert row["name_zh"] == f"{name}孵化器集群"
    assert row["label_note"] == f">{target}万m²"
    assert f"{target} 万平方米" in row["claims"]
    assert row["geometry_source"] == "schematic"
    area = gpd.GeoSeries([row.geometry], crs=4326).to_crs(4544).area.iloc[0]
    assert area > 1e6  # a zone one can see at district scale, not a sliver


def test_cluster_accuracy_is_no_better_than_its_anchor_plus_the_buffer(data):
    catalog, layers = data
    gaz = load_gazetteer()
    clusters = layers["clusters"].set_index("id")
    axes = layers["axes"].set_index("id")
    for zone in catalog["clusters"].derived["params"]["zones"]:
        acc = clusters.loc[zone["id"], "accuracy_m"]
        if "around" in zone:
            known = [p.accuracy_m for n in zone["around"] if (p := gaz.get(n)) is not None]
            assert acc >= min(known) + zone["buffer_m"], zone["id"]
        else:
            assert acc >= axes.loc[zone["along"], "accuracy_m"] + zone["buffer_m"], zone["id"]


def test_shabin_cluster_is_a_corridor_along_the_road(data):
    _, layers = data
    zone = layers["clusters"].set_index("id").to_crs(4544).geometry["cluster-shabin"]
    road = layers["axes"].set_index("id").to_crs(4544).geometry["axis-shabin-road"]
    assert zone.within(road.buffer(501))  # the buffer of the catalog, 500 m
    assert zone.intersection(road).length > 1000  # a stretch of the road, not a dot
    assert zone.intersection(road).length < road.length  # the stretch its places name


@pytest.mark.parametrize("fig", ["fig2", "fig4"])
def test_each_cluster_is_labelled_with_its_target(data, fig):
    catalog, layers = data
    spec = figure_by_id(fig, catalog)
    labels = figure_labels(
        [catalog["clusters"]], layers, layers["district"], spec.must_see, dict(spec.label_notes)
    )
    lines = {lab.lines for lab in labels}
    for _, name, target in CLUSTERS:
        assert (f"{name}集群 >{target}万m²",) in lines


def test_printed_figure_labels_the_clusters_with_their_targets(data):
    catalog, layers = data
    fig = draw_figure(figure_by_id("4", catalog), layers, catalog)
    texts = " ".join(t.get_text() for t in fig.findobj() if hasattr(t, "get_text"))
    for _, name, target in CLUSTERS:
        assert f"{name}集群" in texts
        assert f">{target}万m²" in texts


# --------------------------------------------------------------------------- must_see
def test_shipped_data_has_every_must_see_layer(data):
    catalog, layers = data
    check_must_see(all_specs(catalog), catalog, layers)  # raises if one is empty


def test_empty_mission_layer_is_an_error_naming_figure_and_layer(data, tmp_path):
    catalog, layers = data
    empty = _without(layers, "clusters")
    with pytest.raises(EmptyMustSeeLayerError) as err:
        check_must_see(all_specs(catalog), catalog, empty)
    message = str(err.value)
    assert "\n" not in message
    assert "fig4: layer 'clusters' has no features" in message
    assert "沙滨路集群、菁云湖集群、五云湖集群" in message
    with pytest.raises(EmptyMustSeeLayerError):
        write_site(tmp_path, empty, catalog, "none", True, [figure_by_id("4", catalog)])
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_site_build_stops_on_an_empty_mission_layer(data, tmp_path, monkeypatch, capsys):
    import geo.site.build

    real = geo.site.build.load_inputs

    def load_without_clusters():
        inputs = real()
        inputs.layers = _without(inputs.layers, "clusters")
        return inputs

    monkeypatch.setattr(geo.site.build, "load_inputs", load_without_clusters)
    status = main(["site", "--out", str(tmp_path / "site"), "--no-thumbnails"])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "layer 'clusters' has no features" in err
    assert not (tmp_path / "site" / "index.html").exists()


# --------------------------------------------------------------------------- title blocks
def test_web_title_block_carries_no_technical_note(data):
    catalog, layers = data
    gone = {k: v for k, v in layers.items() if k != "transformation_platforms"}
    with pytest.warns(MissingLayerWarning, match="transformation_platforms"):  # the log says it
        m = build_map(figure_by_id("4", catalog), gone, catalog, "none")
    html = render_html(m)
    pattern = r'create\("div", "geo-title"\);\s*\w+\.innerHTML = ("(?:[^"\\]|\\.)*");'
    block = re.search(pattern, html)
    title = json.loads(block.group(1))
    assert "图 4" in title
    assert "transformation_platforms" not in title
    assert "未收录" not in html
    assert "not available" not in html


def test_print_title_block_carries_no_technical_note(data):
    catalog, layers = data
    gone = {k: v for k, v in layers.items() if k != "transformation_platforms"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        fig = draw_figure(figure_by_id("4", catalog), gone, catalog)
    texts = [
        t.get_text()
        for key in ("title", "subtitle", "notice")
        for t in fig.findobj()
        if t.get_gid() == GIDS[key]
    ]
    assert texts
    assert not [t for t in texts if "transformation_platforms" in t or "未收录" in t]


# --------------------------------------------------------------------------- index
def _glance_lines(page: str) -> dict[str, str]:
    cards = re.findall(r'<li class="card"><a href="(\w+)\.html">.*?</li>', page, re.S)
    blocks = page.split('<li class="card">')[1:]
    out = {}
    for fid, block in zip(cards, blocks, strict=True):
        hit = re.search(r"一眼可见 At first glance: ([^<]*)</div>", block)
        out[fid] = hit.group(1) if hit else ""
    return out


def test_index_promises_only_what_each_figure_draws(data, tmp_path):
    catalog, layers = data
    specs = all_specs(catalog)
    gone = _without(layers, "transformation_platforms")
    lines = _glance_lines(index_html(specs, tmp_path, first_glance(specs, catalog, gone)))
    titles = {s.id: s.title_zh for s in catalog}
    fig4 = lines["fig4"].split("、")
    assert titles["clusters"] in fig4
    assert titles["transformation_platforms"] not in fig4  # empty: not drawn, not promised
    for spec in specs:
        for title in lines[spec.id].split("、"):
            lid = next(k for k, v in titles.items() if v == title)
            assert lid in spec.layers, (spec.id, title)
            assert len(gone.get(lid, [])) > 0, (spec.id, title)


# --------------------------------------------------------------------------- claims
def test_cluster_area_claims_are_linked_but_never_passed_by_a_schematic_zone(data):
    from geo import claims as cl

    _, layers = data
    ledger = cl.read_ledger()
    rows = ledger[ledger["claim_id"].isin(["C030", "C031", "C032"])]
    assert dict(zip(rows["claim_id"], rows["feature_id"], strict=True)) == {
        "C030": "cluster-shabin",
        "C031": "cluster-jingyun",
        "C032": "cluster-wuyun",
    }
    result = cl.check_geometry(rows, layers["clusters"])
    assert set(result["verdict"]) == {"cannot verify"}
    assert result["reason"].str.contains("is schematic").all()


def test_geo_print_reports_a_layer_it_cannot_draw_in_its_log(tmp_path, monkeypatch, capsys):
    from geo.project import Project

    loaded = Project.layers

    def without_platforms(self, *args, **kwargs):
        layers = loaded(self, *args, **kwargs)
        return {k: v for k, v in layers.items() if k != "transformation_platforms"}

    monkeypatch.setattr(Project, "layers", without_platforms)
    args = ["print", "--figures", "4", "--dpi", "30", "--format", "png", "--jobs", "1"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "fig4: layer 'transformation_platforms' has no loaded features" in err
