"""The schematic tier: features known to a few km drawn near their anchor, keyed, recorded."""

from __future__ import annotations

import itertools
import json
import math

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.data.catalog import LayerSpec
from geo.data.placement import placement
from geo.figures.depiction import Shown, depict, figures_record, record_bytes
from geo.figures.keys import figure_keys, key_status, table_row
from geo.figures.schematic import layout
from geo.figures.specs import FIGURES, FigureSpec, figure_by_id


# --------------------------------------------------------------------------- rule
def test_schematic_level_lies_between_point_and_area() -> None:
    gdf = gpd.GeoDataFrame(
        {"accuracy_m": [1000.0, 1001.0, 5000.0, 5001.0, 5001.0], "within": ["", "", "", "x", ""]},
        geometry=[Point(106.4, 29.6)] * 5,
        crs=4326,
    )
    got = list(placement(gdf, 1000, 5000))
    assert got == ["point", "schematic", "schematic", "area", "unlocated"]


# --------------------------------------------------------------------------- layout
def test_layout_keeps_every_symbol_apart_and_near_its_anchor() -> None:
    items = [(f"f{i:02d}", 0.0, 0.0, 3000.0) for i in range(9)] + [("g", 500.0, 0.0, 2000.0)]
    slots, discs = layout(items, fixed=[(0.0, 0.0)], spacing_m=1000.0)
    xy = [(s.x, s.y) for s in slots] + [(0.0, 0.0)]
    for a, b in itertools.combinations(xy, 2):
        assert math.dist(a, b) >= 1000.0 - 1e-6
    # the 9 of one anchor stay on its first two rings (6 + 12 slots, the centre taken)
    assert all(math.dist((s.x, s.y), (0, 0)) <= 2000.0 + 1e-6 for s in slots if s.id != "g")
    assert sorted(d.radius_m for d in discs) == [2000.0, 3000.0]
    assert [s.id for s in slots] == sorted(s.id for s in slots)


def test_layout_is_deterministic_whatever_the_input_order() -> None:
    items = [(f"f{i}", 0.0, 0.0, 3000.0) for i in range(5)]
    a, _ = layout(items, spacing_m=800.0)
    b, _ = layout(list(reversed(items)), spacing_m=800.0)
    assert a == b
    assert (a[0].x, a[0].y) == (0.0, 0.0)  # the first by id takes the anchor itself
    assert (round(a[1].x, 6), round(a[1].y, 6)) == (0.0, 800.0)  # the next: north


# --------------------------------------------------------------------------- keys
@pytest.mark.parametrize(
    ("ref", "want"),
    [
        ("002_x.txt:L342 表3 row 1 item 2", ("表3", "1.2")),
        ("002_x.txt:L365 表4 row 12", ("表4", "12")),
        ("002_x.txt:L462 表6 row 空间布局 item 3", ("表6", "3")),
        ("002_x.txt:L280 专栏1 菁云湖 item 2", ("专栏1", "菁2")),
        ("002_x.txt:L850 专栏9 item 4; 002_x.txt:L1027 表15 row 35", ("专栏9", "4")),
        ("002_x.txt:L264; 002_x.txt:L391 §3.2 三", None),
    ],
)
def test_table_row_reads_the_plan_reference(ref, want) -> None:
    assert table_row(ref) == want


def test_figure_keys_prefix_tables_when_mixed_and_letter_the_rest() -> None:
    rows = [
        {"id": "c", "plan_ref": "f:L1 表9 row 1"},
        {"id": "p", "plan_ref": "f:L2 表15 row 1"},
        {"id": "z", "plan_ref": "f:L3 §3.2"},
        {"id": "y", "plan_ref": "f:L4"},
    ]
    keys = {k: v.text for k, v in figure_keys(rows).items()}
    assert keys == {"c": "9-1", "p": "15-1", "y": "a", "z": "b"}
    assert figure_keys(rows[:1])["c"].text == "1"
    # no number shared between the tables: no prefix
    mixed = [
        {"id": "t", "plan_ref": "f:L1 表4 row 1"},
        {"id": "m", "plan_ref": "f:L2 专栏1 沙滨路 item 1"},
    ]
    assert {k: v.text for k, v in figure_keys(mixed).items()} == {"t": "1", "m": "沙1"}
    assert key_status({"status_zh": "在建", "kind": "x"}) == "在建"
    assert key_status({"kind": "hospital"}) == "hospital"


# --------------------------------------------------------------------------- depict
def _layer(lid: str, role: str = "site") -> LayerSpec:
    return LayerSpec(lid, lid, lid, "Point", role, "", (3,), lid)


def _frame(rows: list[tuple[str, float, float, float, str]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "name_zh": [r[0].upper() for r in rows],
            "plan_ref": [f"f:L1 表3 row {i + 1}" for i in range(len(rows))],
            "accuracy_m": [r[3] for r in rows],
            "within": [r[4] for r in rows],
        },
        geometry=[Point(r[1], r[2]) for r in rows],
        crs=4326,
    )


def test_depict_draws_every_feature_known_to_5_km_and_lists_the_rest() -> None:
    gdf = _frame(
        [
            ("a", 106.40, 29.60, 300.0, ""),
            ("b", 106.40, 29.60, 3500.0, "大学城"),
            ("c", 106.40, 29.60, 3500.0, ""),
            ("d", 106.45, 29.55, 9000.0, "city-east"),
            ("e", 106.45, 29.55, 16000.0, ""),
        ]
    )
    spec = FigureSpec("figx", "图3", "x", "x", layers=("sites",))
    dep = depict(spec, [_layer("sites")], {"sites": gdf}, [])
    (ld,) = dep.layers
    assert dict(zip(ld.drawn["id"], ld.drawn["shown"], strict=True)) == {
        "a": "point",
        "b": "schematic",
        "c": "schematic",
    }
    # city-east is not drawn on this figure: no badge names it, the list does
    assert ld.badges.empty
    assert dict(zip(ld.listed["id"], ld.listed["area"], strict=True)) == {"d": "city-east", "e": ""}
    # schematic symbols moved off the located point, apart from each other
    metric = ld.drawn.set_index("id").to_crs(4544).geometry
    for x, y in itertools.combinations(["a", "b", "c"], 2):
        assert metric[x].distance(metric[y]) >= spec.schematic_spacing_m - 1
    assert list(ld.drawn["key"]) == ["1", "2", "3"]
    (disc,) = dep.discs
    assert (disc.radius_m, disc.ids) == (3500.0, ("b", "c"))


def test_figures_record_is_deterministic_and_complete() -> None:
    gdf = _frame([("a", 106.40, 29.60, 300.0, ""), ("b", 106.40, 29.60, 16000.0, "")])
    spec = FigureSpec("figx", "图3", "x", "x", layers=("sites",))
    one = record_bytes(figures_record([depict(spec, [_layer("sites")], {"sites": gdf}, [])]))
    two = record_bytes(figures_record([depict(spec, [_layer("sites")], {"sites": gdf[::-1]}, [])]))
    assert one == two
    rec = json.loads(one)["figures"]["figx"]
    assert rec["counts"] == {"point": 1, "schematic": 0, "badge": 0, "listed": 1}
    assert [
        (f["id"], f["shown"], f["key"], f["layer"], f["accuracy_m"]) for f in rec["features"]
    ] == [
        ("a", Shown.POINT.value, "1", "sites", 300.0),
        ("b", Shown.LISTED.value, "2", "sites", 16000.0),
    ]


@pytest.mark.slow
def test_geo_maps_writes_the_figures_record_for_every_figure(tmp_path) -> None:
    from geo.cli import main
    from geo.data.catalog import read_catalog
    from geo.data.layers import _load_layer

    args = ["maps", "--out", str(tmp_path), "--basemap", "none", "--figure", "3"]
    assert main(args) in (0, 1)
    first = (tmp_path / "figures.json").read_bytes()
    assert main(args) in (0, 1)
    assert (tmp_path / "figures.json").read_bytes() == first  # deterministic bytes
    record = json.loads(first)["figures"]
    assert {*FIGURES, "overview"} == set(record)
    rd = _load_layer("rd_platforms", catalog=read_catalog())
    fig3 = {f["id"]: f for f in record["fig3"]["features"] if f["layer"] == "rd_platforms"}
    assert set(fig3) == set(rd["id"])  # every feature of the thematic layer, once
    for fid, acc in zip(rd["id"], rd["accuracy_m"], strict=True):
        want = "point" if acc <= 1000 else "schematic" if acc <= 5000 else None
        if want:
            assert fig3[fid]["shown"] == want, fid
        else:
            assert fig3[fid]["shown"] in ("badge", "listed"), fid
    assert fig3["rd-ic-adc-chip-centre"]["key"] == "1.2"
    # no schematic symbol of any figure, the crowded overview included, leaves the
    # district (every anchor lies in it)
    district = _load_layer("district", catalog=read_catalog()).to_crs(4544).union_all()
    for fig_id, rec in record.items():
        sch = [f for f in rec["features"] if f["shown"] == "schematic"]
        pts = gpd.GeoSeries.from_xy([f["lon"] for f in sch], [f["lat"] for f in sch], crs=4326)
        outside = [
            f["id"] for f, p in zip(sch, pts.to_crs(4544), strict=True) if not district.contains(p)
        ]
        assert outside == [], (fig_id, outside)


@pytest.mark.slow
def test_geo_site_builds_the_figures_record_as_an_output(tmp_path) -> None:
    from geo.site.build import build_site

    first = build_site(tmp_path, steps=["figures"], progress=None)
    assert first[-1].built == ["figures"]
    data = (tmp_path / "figures.json").read_bytes()
    again = build_site(tmp_path, steps=["figures"], progress=None)
    assert again[-1].reused == ["figures"]  # kept in the manifest like every output
    (tmp_path / "figures.json").unlink()
    build_site(tmp_path, steps=["figures"], progress=None)
    assert (tmp_path / "figures.json").read_bytes() == data


@pytest.fixture(scope="module")
def real_data():
    """The real catalog and its layers (derived ones included), loaded once."""
    from geo.data.catalog import read_catalog
    from geo.project import load_for_maps

    catalog = read_catalog()
    layers, _ = load_for_maps(catalog)
    return catalog, layers


def test_print_numbers_every_symbol_and_keys_it_beside_the_legend(real_data) -> None:
    from geo.printing.figure import draw_figure
    from geo.printing.furniture import GIDS

    catalog, layers = real_data
    fig = draw_figure(figure_by_id("7", catalog), layers, catalog)
    content = fig.geo_content
    drawn = next(g for s, g in content.drawn if s.id == "cancer_resources")
    assert len(drawn) > 0

    def texts(gid: str) -> list[str]:
        return [t.get_text() for t in fig.findobj(lambda a: a.get_gid() == gid)]

    # each symbol carries its 表6 number; the key list names it
    assert sorted(texts(GIDS["key"])) == sorted(drawn["key"])
    keys = "\n".join(texts(GIDS["keys"]))
    for key, name in zip(drawn["key"], drawn["name_zh"], strict=True):
        assert f"{key}  {name}" in keys
    hollow = fig.findobj(lambda a: a.get_gid() == "layer-cancer_resources-schematic")
    assert sum(len(c.get_offsets()) for c in hollow) == int((drawn["shown"] == "schematic").sum())
    assert len(fig.findobj(lambda a: a.get_gid() == GIDS["disc"])) == len(content.discs) > 0


def test_web_figure_draws_schematic_symbols_with_their_true_whereabouts(real_data) -> None:
    from geo.maps import build_map, render_html

    catalog, layers = real_data
    page = render_html(build_map(figure_by_id("3", catalog), layers, catalog, "none"))
    # the ADC chip centre is known only to lie near 黄金湾·智谷, to ±3.5 km
    assert "位于黄金湾·智谷附近 ±3.5 km；示意位置，非实际点位" in page
    assert "geo-schematic-symbol" in page
    assert '"dashArray": "3 2"' in page
    assert "geo-schematic-disc" in page
    assert "定位点" in page
    assert "示意位置" in page
    assert "图例编号 Key" in page


def test_not_located_panel_lists_features_under_the_zone_they_lie_in() -> None:
    from geo.figures.placed import PlacedLayer
    from geo.maps.placement_layers.panel import unlocated_html

    listed = gpd.GeoDataFrame(
        {
            "name_zh": ["甲", "乙"],
            "plan_ref": ["L1", "L2"],
            "kind": ["x", "x"],
            "area": ["city-east", ""],
        },
        geometry=[Point(106.4, 29.6)] * 2,
        crs=4326,
    )
    empty = listed.iloc[:0]
    page = unlocated_html(
        [PlacedLayer(_layer("sites"), empty, empty, listed)], (), {"city-east": "东部人字母城"}
    )
    assert page.index("在东部人字母城内") < page.index("甲") < page.index("区内") < page.index("乙")


def test_layout_keeps_slots_inside_the_district() -> None:
    import shapely

    district = shapely.box(-500.0, -5000.0, 5000.0, 5000.0)  # nothing west of x = -500
    items = [(f"f{i}", 0.0, 0.0, 3000.0) for i in range(7)]
    slots, _ = layout(items, spacing_m=1000.0, inside=district)
    assert all(district.contains(Point(s.x, s.y)) for s in slots)
    free, _ = layout(items, spacing_m=1000.0)
    assert any(s.x < -500 for s in free)  # without the district, the ring goes west


def test_layout_closes_up_inside_a_full_district_rather_than_leave_it() -> None:
    import shapely

    district = shapely.box(-1600.0, -1600.0, 1600.0, 1600.0)  # room for about 9 at 1 km
    items = [(f"f{i:02d}", 0.0, 0.0, 3000.0) for i in range(30)]
    slots, _ = layout(items, spacing_m=1000.0, inside=district)
    assert all(district.contains(Point(s.x, s.y)) for s in slots)
    xy = [(s.x, s.y) for s in slots]
    closest = min(math.dist(a, b) for a, b in itertools.combinations(xy, 2))
    assert closest >= 1000.0 / 3 - 1e-6  # closer together, never on top of each other
    first = next(s for s in slots if s.id == "f00")
    assert (first.x, first.y) == (0.0, 0.0)  # what fits keeps its place
