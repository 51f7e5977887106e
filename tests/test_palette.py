"""The atlas palette: a class keeps its colour on every figure, web and print; only water
is blue; rivers, roads and ridges are drawn as light context on every figure.

The web side is read from the rendered pages (the legend rows and the styles folium
writes for each feature), the print side from what the print draws.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from geo.data.catalog import read_catalog
from geo.errors import MissingLayerWarning
from geo.figures.labels import figure_labels
from geo.figures.specs import FIGURES, all_specs
from geo.figures.styles.atlas import ATLAS, CONTEXT, WATER, is_blue
from geo.figures.styles.colours import FIGURE_COLOURS, MIN_DELTA_E, PALETTE, delta_e
from geo.figures.styles.layer_style import DEFAULT_STYLE
from geo.maps import build_map, render_html
from geo.printing import Page, draw_figure
from geo.printing.content import figure_content
from geo.printing.labels import label_candidates
from geo.project import load_for_maps

#: Every river, road and ridge of the context layers, by feature id.
RIVERS = {"axis-jialing-river", "axis-liangtan-river"}
ROADS = {"axis-shabin-road", "axis-g212", "axis-kexue-avenue"}
RIDGES = {"ridge-zhongliang", "ridge-jinyun"}


#: The figures ``make test-fast`` checks the palette on (the figures of the cities and
#: of the industrial platforms); ``make test`` checks every figure.
QUICK_FIGURES = ("fig1", "fig5")


def every_figure() -> list[Any]:
    """Every figure id as a test case, those beyond ``QUICK_FIGURES`` marked slow."""
    return [
        pytest.param(fig, marks=() if fig in QUICK_FIGURES else (pytest.mark.slow,))
        for fig in [*FIGURES, "overview"]
    ]


class PerFigure(dict):
    """Figure id to what ``make`` returns for it, made when first asked for, then kept."""

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, fig: str) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingLayerWarning)
            self[fig] = made = self._make(fig)
        return made


@pytest.fixture(scope="module")
def atlas():
    """The real catalog and layers, each figure rendered once (offline, no tiles).

    A figure's page and print content are made when a test first asks for them.
    """
    cat = read_catalog()
    layers, _ = load_for_maps(cat)
    specs = {spec.id: spec for spec in all_specs(cat)}
    pages = PerFigure(
        lambda fig: render_html(build_map(specs[fig], layers, cat, "none"), offline=True)
    )
    prints = PerFigure(lambda fig: figure_content(specs[fig], layers, cat))
    return cat, layers, pages, prints


def _legend(page: str) -> str:
    m = re.search(
        r'var (\w+) = L\.DomUtil\.create\("div", "geo-legend"\);'
        r'\s*\1\.innerHTML = ("(?:[^"\\]|\\.)*");',
        page,
    )
    assert m, "no legend in the page"
    return json.loads(m.group(2))


def legend_colours(page: str) -> dict[tuple[str, str], str]:
    """(layer id, class) to the colour of its legend swatch."""
    rows = re.findall(
        r'data-layer="([^"]+)" data-kind="([^"]*)">\s*<svg[^>]*><\w+ [^>]*?'
        r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"',
        _legend(page),
    )
    return {(lid, kind): colour.upper() for lid, kind, colour in rows}


def feature_styles(page: str) -> dict[str, dict]:
    """Feature id to the style folium's styler returns for it (default included)."""
    dec = json.JSONDecoder()
    out = {}
    for m in re.finditer(
        r"function (geo_json_\w+)_styler\(feature\) \{(.*?)\n        \}", page, re.S
    ):
        body = m.group(2)
        listed = {}
        for cases, style in re.findall(r'((?:case "[^"]*": )+)\s*return (\{[^}]*\});', body):
            for fid in re.findall(r'case "([^"]*)"', cases):
                listed[fid] = json.loads(style)
        default = json.loads(re.search(r"default:\s*return (\{[^}]*\});", body).group(1))
        add = page.index(f"{m.group(1)}_add(", m.end()) + len(m.group(1)) + 5
        for f in dec.raw_decode(page, add)[0]["features"]:
            out[f["properties"]["id"]] = listed.get(f["properties"]["id"], default)
    return out


def print_colours(content) -> dict[tuple[str, str], str]:
    """(layer id, class) to the colour the print draws it in."""
    return {
        (lid, kind): sym.color.upper()
        for lid, classes in content.symbols.items()
        for kind, sym in classes.items()
    }


def map_colours(page: str, atlas) -> dict[tuple[str, str], set[str]]:
    """(layer id, class) to the colours its features are drawn in on the map."""
    cat, layers, _, _ = atlas
    legend = legend_colours(page)
    styles = feature_styles(page)
    out: dict[tuple[str, str], set[str]] = {}
    for lid in {lid for lid, _ in legend}:
        gdf = layers[lid]
        field = cat[lid].kind_field if cat[lid].kind_field in gdf else "kind"
        kinds = gdf[field] if field in gdf else [""] * len(gdf)
        for fid, kind in zip(gdf["id"], kinds, strict=True):
            if fid in styles:  # drawn (a point only where it is located well enough)
                cls = (lid, "") if (lid, "") in legend else (lid, str(kind))
                out.setdefault(cls, set()).add(styles[fid]["color"].upper())
    return out


def _all_colours(
    atlas, figures: Iterable[str] = ()
) -> dict[tuple[str, str], set[tuple[str, str, str]]]:
    """(layer id, class) to every (figure, medium, colour) it is drawn in.

    On the ``figures`` given, else on every figure.
    """
    cat, _, pages, prints = atlas
    seen: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    for fig in figures or [spec.id for spec in all_specs(cat)]:
        page = pages[fig]
        for cls, colour in legend_colours(page).items():
            seen.setdefault(cls, set()).add((fig, "legend", colour))
        for cls, colours in map_colours(page, atlas).items():
            seen.setdefault(cls, set()).update((fig, "map", c) for c in colours)
        for cls, colour in print_colours(prints[fig]).items():
            seen.setdefault(cls, set()).add((fig, "print", colour))
    return seen


# --------------------------------------------------------------------------- one colour
@pytest.mark.slow
def test_a_class_has_one_colour_on_every_figure_web_and_print(atlas):
    seen = _all_colours(atlas)
    assert ("projects", "") in seen
    assert ("industrial_platforms", "industrial-park") in seen
    for drawn in (("axes", "river"), ("campuses", ""), ("cities", "东部人字母城")):
        assert {m for _, m, _ in seen[drawn]} == {"legend", "map", "print"}, drawn
    for cls, uses in seen.items():
        colours = {c for _, _, c in uses if cls[0] not in ("district", "neighbours")}
        assert len(colours) <= 1, f"{cls} is drawn in {sorted(uses)}"


def test_is_blue_names_cyan_to_indigo_and_nothing_else():
    for blue in ("#0072B2", "#56B4E9", "#332288", "#88CCEE", "#4477AA"):
        assert is_blue(blue), blue
    for other in ("#9970AB", "#762A83", "#1B9E77", "#5AAE61", "#999999", "#8C510A", "#C51B7D"):
        assert not is_blue(other), other


@pytest.mark.parametrize("fig", every_figure())
def test_nothing_but_water_is_blue_on_the_figure(atlas, fig):
    cat = atlas[0]
    for (lid, kind), uses in _all_colours(atlas, [fig]).items():
        water = (cat[lid].style, kind) in WATER
        for _, medium, colour in uses:
            assert is_blue(colour) == water, (lid, kind, fig, medium, colour)


def test_nothing_but_water_is_blue_in_the_declared_colours():
    for style, classes in ATLAS.items():
        for kind, colour in classes.items():
            assert is_blue(colour) == ((style, kind) in WATER), (style, kind, colour)
    assert is_blue(CONTEXT["river"])
    # a class the atlas does not list (a layer added later) never gets a blue either
    assert not [c for c in (*FIGURE_COLOURS, *PALETTE) if is_blue(c)]
    assert not is_blue(DEFAULT_STYLE.color)


# --------------------------------------------------------------------------- context
@pytest.mark.parametrize("fig", every_figure())
def test_every_figure_draws_rivers_roads_and_ridges_web_and_print(atlas, fig):
    _, _, pages, prints = atlas
    styles = feature_styles(pages[fig])
    assert set(styles) >= RIVERS | ROADS | RIDGES, fig
    for fid in RIVERS:
        assert styles[fid]["color"] == CONTEXT["river"]
    for fid in ROADS:
        assert styles[fid]["color"] == CONTEXT["road"]
    drawn = {s.id: set(g["id"]) for s, g in prints[fig].drawn}
    assert drawn["axes"] >= RIVERS | ROADS, fig
    assert drawn["ridges"] >= RIDGES, fig
    assert prints[fig].symbols["axes"]["river"].color == CONTEXT["river"]
    assert prints[fig].symbols["axes"]["road"].color == CONTEXT["road"]
    if fig != "overview":  # the figure's classes stand apart from the context lines
        for (lid, kind), colour in legend_colours(pages[fig]).items():
            if lid not in ("axes", "ridges", "district", "neighbours"):
                for line in CONTEXT.values():
                    assert delta_e(colour, line) >= MIN_DELTA_E, (fig, lid, kind, line)


def test_online_pages_draw_the_context_lines_too(atlas):
    cat, layers, _, _ = atlas
    for spec in all_specs(cat)[:1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingLayerWarning)
            page = render_html(build_map(spec, layers, cat, "osm"))
        assert set(feature_styles(page)) >= RIVERS | ROADS | RIDGES


def test_context_is_light_and_under_the_thematic_layers(atlas):
    _, _, pages, prints = atlas
    page = pages["fig5"]
    styles = feature_styles(page)
    river, park = styles["axis-jialing-river"], styles[_first_point(atlas, "industrial_platforms")]
    assert river["opacity"] < park["opacity"]
    assert river["weight"] < 3
    # painted first: the context group is added to the map before the sites'
    assert page.index('"geo-l-axes') < page.index('"geo-l-industrial_platforms')
    order = [s.id for s, _ in prints["fig5"].drawn]
    assert order.index("axes") < order.index("industrial_platforms")


def _first_point(atlas, lid: str) -> str:
    styles = feature_styles(atlas[2]["fig5"])
    return next(fid for fid in atlas[1][lid]["id"] if fid in styles)


def test_river_names_blue_italic_and_road_names_grey(atlas):
    cat, layers, pages, _ = atlas
    spec = next(s for s in all_specs(cat) if s.id == "fig1")
    chosen = [cat[lid] for lid in spec.layers if lid in layers and len(layers[lid])]
    tones = {lab.lines[0]: lab.tone for lab in figure_labels(chosen, layers, layers["district"])}
    assert tones["嘉陵江"] == "river"
    assert tones["梁滩河"] == "river"
    assert tones["科学大道"] == "road"
    assert ".geo-label-river{color:#1f5fa8;font-style:italic}" in pages["fig1"]
    prints = {lab.text: lab for lab in label_candidates(spec, chosen, layers, 10.0)}
    assert prints["嘉陵江"].color == "#1f5fa8"
    assert prints["嘉陵江"].style == "italic"
    assert prints["科学大道"].color == "#6b6b6b"


def test_printed_figure_draws_the_context_lines(atlas):
    cat, layers, _, _ = atlas
    spec = next(s for s in all_specs(cat) if s.id == "fig1")
    fig = draw_figure(spec, layers, cat, Page("A4", "landscape"))
    gids = {a.get_gid() for a in fig.findobj()}
    assert {"layer-axes", "layer-ridges"} <= gids


# --------------------------------------------------------------------------- the cities
def test_cities_and_science_city_differ_in_hue_and_outline(atlas):
    styles = feature_styles(atlas[2]["fig1"])
    west, east, sci = styles["city-west"], styles["city-east"], styles["context-science-city"]
    assert len({west["color"], east["color"], sci["color"]}) == 3
    assert sci["dashArray"] != west["dashArray"]
    assert sci["weight"] > west["weight"]
    for s in (west, east, sci):
        assert not is_blue(s["color"])
    symbols = atlas[3]["fig1"].symbols
    sci_line = symbols["science_city"][""].linestyle(True)
    assert sci_line != symbols["cities"]["西部科技新城"].linestyle(True)
