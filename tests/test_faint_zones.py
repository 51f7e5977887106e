"""Context zones: a coarse feature is counted on its zone even where no layer draws it.

Figure 3 draws no city, yet three R&D platforms are known only to lie in the western
city (``within = city-west``); Figure 5 draws no screen, yet projects lie in the
中梁山 screen. The figure draws such a zone faintly and counts them on it, on the
web and in print; features known only to the district stay listed; no badge names
an area its figure does not draw.
"""

from __future__ import annotations

import json
import warnings

import pytest

from geo.data.catalog import read_catalog
from geo.figures.depiction import depict, figures_json
from geo.figures.layers import figure_layers
from geo.figures.specs import all_specs, figure_by_id
from geo.project import load_for_maps


@pytest.fixture(scope="module")
def data():
    catalog = read_catalog()
    layers, _ = load_for_maps(catalog)
    return catalog, layers


@pytest.fixture(scope="module")
def record(data):
    catalog, layers = data
    return json.loads(figures_json(all_specs(catalog), layers, catalog))["figures"]


def _coarse_in(layers, layer_id: str, zone: str) -> set[str]:
    gdf = layers[layer_id]
    return set(gdf.loc[(gdf["within"].fillna("") == zone) & (gdf["accuracy_m"] > 5000), "id"])


def _depiction(data, fig_id: str):
    catalog, layers = data
    spec = figure_by_id(fig_id, catalog)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen, _ = figure_layers(spec, catalog, layers)
    return depict(spec, chosen, layers, catalog), {s.id for s in chosen}


def test_fig3_counts_its_west_city_platforms_on_a_faint_west_city(data, record) -> None:
    _, layers = data
    dep, chosen = _depiction(data, "fig3")
    assert "cities" not in chosen  # Figure 3 draws no city layer
    west = _coarse_in(layers, "rd_platforms", "city-west")
    assert len(west) == 3
    fig3 = {f["id"]: f for f in record["fig3"]["features"]}
    got = {fid: (fig3[fid]["shown"], fig3[fid]["area"]) for fid in west}
    assert got == dict.fromkeys(west, ("badge", "city-west"))
    assert record["fig3"]["context_zones"] == [
        {"id": "city-west", "layer": "cities", "name_zh": "西部科技新城"}
    ]
    assert list(dep.context["id"]) == ["city-west"]


def test_fig5_counts_its_zhongliang_screen_projects_as_badges(data, record) -> None:
    _, layers = data
    _, chosen = _depiction(data, "fig5")
    assert "screens" not in chosen
    on_screen = set()
    for lid in ("projects", "carriers", "industrial_platforms"):
        on_screen |= _coarse_in(layers, lid, "screen-zhongliang")
    assert on_screen
    shown = {f["id"]: f["shown"] for f in record["fig5"]["features"]}
    assert {shown[fid] for fid in on_screen} == {"badge"}
    assert {z["id"] for z in record["fig5"]["context_zones"]} == {"city-west", "screen-zhongliang"}


def test_features_known_only_to_the_district_stay_listed(data, record) -> None:
    from geo.data.placement import DISTRICT_NAMES

    _, layers = data
    for fig_id in ("fig3", "fig5"):
        rec = record[fig_id]
        coarse = set()
        for f in rec["features"]:
            gdf = layers[f["layer"]]
            row = gdf[gdf["id"] == f["id"]].iloc[0]
            if f["accuracy_m"] > rec["schematic_accuracy_m"]:
                coarse.add((f["id"], str(row.get("within") or "").strip().lower()))
        district_only = {fid for fid, w in coarse if w in DISTRICT_NAMES}
        assert district_only  # the figure has some
        listed = {f["id"] for f in rec["features"] if f["shown"] == "listed"}
        assert listed == district_only, fig_id  # exactly those: the rest are counted


def test_no_badge_names_an_area_its_figure_does_not_draw(data, record) -> None:
    from geo.data.placement import zone_ids

    catalog, _ = data
    owners = zone_ids(catalog)
    for fig_id, rec in record.items():
        _, chosen = _depiction(data, fig_id)
        context = {z["id"] for z in rec["context_zones"]}
        for f in rec["features"]:
            if f["shown"] == "badge":
                drawn = owners.get(f["area"]) in chosen or f["area"] in context
                assert drawn, (fig_id, f["id"], f["area"])
        # a context zone is drawn only for a badge, and never for a layer already drawn
        badged = {f["area"] for f in rec["features"] if f["shown"] == "badge"}
        assert context <= badged, fig_id
        assert not {owners[z] for z in context} & chosen, fig_id
    # and no figure lists a feature only because its zone is not drawn
    for fig_id, rec in record.items():
        stuck = [f["id"] for f in rec["features"] if f["shown"] == "listed" and f["area"]]
        assert stuck == [], fig_id


def test_fig3_page_draws_the_west_city_faintly_under_its_badge(data) -> None:
    import folium

    from geo.figures.context import CONTEXT_COLOUR, CONTEXT_OPACITY
    from geo.figures.styles.atlas import ATLAS, is_blue
    from geo.maps import build_map

    catalog, layers = data
    m = build_map(figure_by_id("fig3", catalog), layers, catalog, "none")
    zones = [
        e
        for e in m._children.values()
        if isinstance(e, folium.FeatureGroup) and e.layer_name == "context-zones"
    ]
    (group,) = zones
    (gj,) = [e for e in group._children.values() if isinstance(e, folium.GeoJson)]
    (feature,) = gj.data["features"]
    assert feature["properties"]["id"] == "city-west"
    style = gj.style_function(feature)
    assert style["fill"] is False  # outline only
    assert style["opacity"] <= CONTEXT_OPACITY < 1
    assert style["weight"] < 2
    assert style["dashArray"]  # a schematic zone stays dashed
    # orientation, not a theme: never a class colour of the figure's own legend
    assert style["color"] == CONTEXT_COLOUR
    assert style["color"] not in ATLAS["rd_platforms"].values()
    assert not is_blue(style["color"])
    assert gj.options.get("interactive") is False
    # under every thematic layer: added before the figure's layer groups
    order = list(m._children)
    rd = next(
        k for k, e in m._children.items() if getattr(e, "layer_name", "").startswith("研发平台")
    )
    assert order.index(group.get_name()) < order.index(rd)
    page = m.get_root().render()
    assert page.count('className: "geo-badge-icon"') == 1
    assert page.count("geo-legend-context") == 1  # one row for every context zone
    assert json.dumps("所在片区（示意）")[1:-1] in page
    labels = [
        e for e in m._children.values() if type(e).__name__ == "MapLabels"
    ]  # a light label names the zone
    (ml,) = labels
    assert [d["lines"] for d in ml.data if d["tone"] == "context"] == [["西部科技新城"]]


def test_fig3_print_draws_the_zone_and_its_badge(data) -> None:
    from geo.printing.figure import draw_figure
    from geo.printing.furniture import GIDS
    from geo.printing.keyed import CONTEXT_GID

    catalog, layers = data
    fig = draw_figure(figure_by_id("fig3", catalog), layers, catalog)
    badges = [t.get_text() for t in fig.findobj(lambda a: a.get_gid() == GIDS["badge"])]
    assert badges == ["西部科技新城 · 3 项"]
    outlines = fig.findobj(lambda a: a.get_gid() == CONTEXT_GID)
    assert outlines
    assert all(line.get_alpha() < 1 and line.get_zorder() < 3 for line in outlines)
    legend = [t.get_text() for t in fig.findobj(lambda a: a.get_gid() == GIDS["legend"])[0].texts]
    assert any(t.startswith("所在片区（示意）") for t in legend)
    side = "\n".join(t.get_text() for t in fig.findobj(lambda a: a.get_gid() == GIDS["unlocated"]))
    assert "西部科技新城" not in side  # counted on the zone, no longer listed under it
