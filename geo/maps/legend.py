"""The text blocks of a map: legend, title and source line; every value escaped."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from geo.data.catalog import LayerSpec
from geo.figures.specs import FigureSpec
from geo.figures.styles.layer_style import class_label, get_style, is_drawn_schematic
from geo.figures.texts import PLAN_SOURCE_EN, PLAN_SOURCE_ZH, SCHEMATIC_NOTE
from geo.maps.basemaps import Basemap
from geo.maps.css import swatch_html
from geo.maps.features import esc


def _class_name(kind: str) -> str:
    zh, en = class_label(kind)
    return f'{esc(zh)} <span class="geo-en">{esc(en)}</span>' if en else esc(zh)


def _dashed_classes(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> dict[str, bool]:
    """Return, per class (and ``""`` for the whole layer), whether all of it is dashed."""
    field = layer.kind_field if layer.kind_field in gdf else "kind"
    props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    out: dict[str, bool] = {}
    for p in props:
        dashed = is_drawn_schematic(layer.geometry_type, p)
        for key in (str(p.get(field)), ""):
            out[key] = out.get(key, True) and dashed
    return out


def _legend_block(layer: LayerSpec, cats: Mapping[str, str], dashed: Mapping[str, bool]) -> str:
    gtype = layer.geometry_type
    title = f'{esc(layer.title_zh)} <span class="geo-en">{esc(layer.title_en)}</span>'
    lid = esc(layer.id)
    own = get_style(layer.style).dash_array  # a dash of the layer's own (Science City)
    if list(cats) == [""]:  # one class: one row named by the layer
        return (
            f'<div class="geo-legend-layer" data-layer="{lid}">'
            f'<div class="geo-legend-row" data-layer="{lid}" data-kind="">'
            f"{swatch_html(gtype, cats[''], dashed.get('', False), own)} {title}</div></div>"
        )
    rows = "".join(
        f'<div class="geo-legend-row" data-layer="{lid}" data-kind="{esc(k)}">'
        f"{swatch_html(gtype, c, dashed.get(k, False), own)} {_class_name(k)}</div>"
        for k, c in cats.items()
    )
    return (
        f'<div class="geo-legend-layer" data-layer="{lid}">'
        f'<div class="geo-legend-head">{title}</div>{rows}</div>'
    )


def _circle(dashed: bool) -> str:
    """Return a point swatch: filled (located) or hollow and dashed (schematic)."""
    if dashed:
        shape = (
            '<circle cx="8" cy="8" r="5.5" fill="#fff" stroke="#333" stroke-width="2" '
            'stroke-dasharray="3 2"/>'
        )
    else:
        shape = '<circle cx="8" cy="8" r="5.5" fill="#555" stroke="#333" stroke-width="1"/>'
    return f'<svg class="geo-swatch" width="16" height="16" aria-hidden="true">{shape}</svg>'


def tier_rows(max_accuracy_m: float, schematic_accuracy_m: float) -> str:
    """Return the legend's two point rows: located and schematic, with their limits.

    Parameters
    ----------
    max_accuracy_m, schematic_accuracy_m
        The figure's point and schematic limits (metres).

    Returns
    -------
    str
    """
    pt, sch = f"{max_accuracy_m / 1000:g}", f"{schematic_accuracy_m / 1000:g}"
    return (
        f'<div class="geo-legend-row geo-legend-tier" data-tier="point">{_circle(False)} '
        f'定位点 <span class="geo-en">located (±≤{esc(pt)} km)</span></div>'
        f'<div class="geo-legend-row geo-legend-tier" data-tier="schematic">{_circle(True)} '
        f'示意位置 <span class="geo-en">schematic position (±{esc(pt)}–{esc(sch)} km)</span></div>'
    )


def legend_html(
    drawn: list[tuple[LayerSpec, gpd.GeoDataFrame]],
    colors: Mapping[str, Mapping[str, str]],
    tiers: str = "",
) -> str:
    """Return the legend: a row per class, Chinese name first, English after it.

    A class's swatch is dashed when every feature of it is drawn dashed.

    Parameters
    ----------
    drawn
        The layers on the map, in draw order.
    colors
        Layer id to class colours (the mapping the styles use; a single class is
        keyed ``""`` and named by its layer).
    tiers
        The rows telling located from schematic symbols (:func:`tier_rows`), when
        the figure draws point layers.

    Returns
    -------
    str
        HTML with every label escaped: a toggle button and the collapsible body.
    """
    blocks = []
    any_schematic = False
    for layer, gdf in reversed(drawn):  # points first: the order a reader scans
        props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
        schematic = any(is_drawn_schematic(layer.geometry_type, p) for p in props)
        any_schematic |= schematic
        style = get_style(layer.style)
        cats = colors.get(layer.id) or {"": style.color}
        blocks.append(_legend_block(layer, cats, _dashed_classes(layer, gdf)))
    if tiers:
        blocks.append(tiers)
    if any_schematic:
        blocks.append(
            f'<div class="geo-legend-row geo-legend-schematic">'
            f"{swatch_html('Polygon', '#555555', True)} 示意 "
            '<span class="geo-en">schematic</span></div>'
        )
    return (
        '<button type="button" id="geo-legend-toggle" class="geo-legend-toggle" '
        'aria-expanded="true">'
        "图例 Legend</button>"
        f'<div class="geo-legend-body">{"".join(blocks)}</div>'
    )


def title_html(spec: FigureSpec, basemap: Basemap, index_href: str = "index.html") -> str:
    """Return the title block: the plan's caption (zh, en) and a link back.

    It carries no technical notes: a layer left out is reported by the build
    (:class:`~geo.errors.MissingLayerWarning`), not printed on the figure.
    """
    return (
        f'<div class="geo-caption-zh" role="heading" aria-level="1">{esc(spec.title_zh)}</div>'
        f'<div class="geo-caption-en">{esc(spec.caption_en)}</div>'
        f'<a class="geo-back" href="{esc(index_href)}">← 图集 Index</a>'
    )


def source_html(spec: FigureSpec, basemap: Basemap) -> str:
    """Return the source line: the plan by title and period, the figure's line, basemap."""
    meta = f"底图 basemap: {esc(basemap.title)}"
    if basemap.needs_shift:
        meta += " — 矢量图层已转换为 GCJ-02 显示 (layers shifted to GCJ-02 for display)"
    ref = f" · {esc(spec.label_zh)} {esc(spec.plan_ref)}" if spec.plan_ref else ""
    return (
        f'<div class="geo-source-plan">{esc(PLAN_SOURCE_ZH)}{ref} '
        f'<span class="geo-source-en">· {esc(PLAN_SOURCE_EN)}</span></div>'
        f'<div class="geo-note">{esc(SCHEMATIC_NOTE)} · {meta}</div>'
    )
