"""The PyQGIS side of ``geo export --format qgis``: a QGIS project with a print layout per figure.

Run by Debian's ``/usr/bin/python3`` (where PyQGIS lives), not the toolkit's own
Python, so this module imports nothing from ``geo`` and PyQGIS only inside
:func:`main`: ``python3 -I qgis_layout.py description.json``. The description, written
by :mod:`geo.gis.qgis_project`, names the GeoPackage beside the project and, for each
figure, its layers in drawing order (bottom first), its title, source line, schematic
notice and not-located list. The project gets:

* a layer group per figure, the layers read from the GeoPackage with the QML of its
  ``layer_styles`` table, by a relative path;
* for the figure's point layers a rule-based renderer built from that style: each
  class drawn filled where ``placement`` is ``point``, hollow and dashed where it is
  ``schematic``, and not at all where it is ``badge`` or ``listed`` (those are counted
  on their zone by the ``badges`` layer, or named in the layout's list), over a faint
  disc of each schematic group's uncertainty (``discs``); the rule-based
  style is saved back into ``layer_styles`` as the table's default;
* a print layout per figure: A4 landscape, title, map, legend, scale bar, north arrow,
  source line, schematic notice and the not-located list.

Problems are written to stderr as one line and the exit status is 1.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

#: Page size of every layout, millimetres (A4 landscape).
PAGE_MM = (297.0, 210.0)
#: Size of the map on the page, millimetres (less wide when the legend needs columns).
MAP_MM = (190.0, 160.0)
#: Width the map gives up for each further legend column, millimetres.
COLUMN_MM = 48.0
#: Longest not-located list printed in one column; a longer one is split in two.
LIST_SPLIT = 10
#: Height of a legend row, millimetres (to choose one column or two).
ROW_MM = 3.9
#: North arrow shipped by Debian's ``qgis-common``.
NORTH_ARROW = "/usr/share/qgis/svg/arrows/NorthArrow_02.svg"
#: Placement values drawn on the map; the others are counted or listed.
DRAWN = ("point", "schematic")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    """Build the project described by ``argv[0]`` (a JSON file); return the exit status.

    Parameters
    ----------
    argv
        One path: the description written by :mod:`geo.gis.qgis_project`.

    Returns
    -------
    int
        0 when the project was written, 1 otherwise (the reason on stderr).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from qgis.core import QgsApplication
    except ImportError:
        return _fail("PyQGIS (qgis.core) is not importable by this Python")
    desc = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    app = QgsApplication([], False)
    QgsApplication.setPrefixPath("/usr", True)
    app.initQgis()
    try:
        return _build(desc)
    finally:
        app.exitQgis()


def _build(desc: dict[str, Any]) -> int:
    from qgis.core import QgsCoordinateReferenceSystem, QgsProject

    project = QgsProject.instance()
    project.clear()
    folder = Path(desc["qgz"]).parent
    project.setFileName(str(desc["qgz"]))
    project.setCrs(QgsCoordinateReferenceSystem(desc["crs"]))
    project.setTitle(desc["title"])
    project.writeEntryBool("Paths", "/Absolute", False)
    gpkg = str(folder / desc["gpkg"])
    styled: set[str] = set()
    bad: list[str] = []
    for n, fig in enumerate(desc["figures"]):
        group = project.layerTreeRoot().addGroup(fig["group"])
        group.setItemVisibilityChecked(n == 0)
        layers = []
        for entry in reversed(fig["layers"]):  # the tree lists the top layer first
            layer = _layer(gpkg, entry, desc, styled)
            if not layer.isValid():
                bad.append(f"{fig['id']}: {entry['table']}")
                continue
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            layers.append(layer)
        _layout(project, fig, layers, desc)
    if bad:
        return _fail(f"{gpkg}: layers QGIS could not open: {', '.join(bad)}")
    if not project.write():
        return _fail(f"{desc['qgz']}: QGIS could not write the project: {project.error()}")
    return 0


# --------------------------------------------------------------------------- layers
def _layer(gpkg: str, entry: dict[str, Any], desc: dict[str, Any], styled: set[str]) -> Any:
    """One layer of the GeoPackage, styled as its kind asks."""
    from qgis.core import QgsVectorLayer

    table = entry["table"]
    layer = QgsVectorLayer(f"{gpkg}|layername={table}", entry["name"], "ogr")
    layer.setCustomProperty("geo/legend", entry["legend"])
    if not layer.isValid():
        return layer
    kind = entry["kind"]
    if kind == "placed":
        layer.setRenderer(_placed_renderer(layer.renderer()))
        _labels(layer, desc["font"], f"\"placement\" IN ('{DRAWN[0]}', '{DRAWN[1]}')")
    elif kind == "badges":
        _badges(layer, desc["font"])
    elif kind == "context":
        _context(layer)
    elif kind == "discs":
        _discs(layer)
    if kind != "plain" and table not in styled:
        # the GeoPackage opens alone drawn the same way
        layer.saveStyleToDatabase(table, entry["name"], True, "")
        styled.add(table)
    return layer


def _placed_renderer(renderer: Any) -> Any:
    """Turn a layer's style into rules: filled points, hollow dashed schematic, nothing else.

    Located features keep their class's symbol, one rule per class; schematic ones
    share one rule (one legend row) whose dashed outline takes the class colour.
    """
    from qgis.core import QgsProperty, QgsRuleBasedRenderer, QgsSymbolLayer

    source = QgsRuleBasedRenderer.convertFromRenderer(renderer)
    root = QgsRuleBasedRenderer.Rule(None)
    cases, first = [], None
    for rule in source.rootRule().children():
        symbol, flt = rule.symbol(), rule.filterExpression()
        if symbol is None:
            continue
        first = first or symbol
        point = "\"placement\" = 'point'" + (f" AND ({flt})" if flt else "")
        label = rule.label() or "定位点 located"
        root.appendChild(QgsRuleBasedRenderer.Rule(symbol.clone(), 0, 0, point, label))
        c = symbol.color()
        cases.append(f"WHEN {flt or 'true'} THEN '{c.red()},{c.green()},{c.blue()},255'")
    if first is not None:
        hollow = _hollow(first.clone())
        colour = QgsProperty.fromExpression(f"CASE {' '.join(cases)} ELSE '90,90,90,255' END")
        for i in range(hollow.symbolLayerCount()):
            hollow.symbolLayer(i).setDataDefinedProperty(QgsSymbolLayer.PropertyStrokeColor, colour)
        text = "示意位置 schematic"
        root.appendChild(
            QgsRuleBasedRenderer.Rule(hollow, 0, 0, "\"placement\" = 'schematic'", text)
        )
    return QgsRuleBasedRenderer(root)


def _hollow(symbol: Any) -> Any:
    """Make a symbol schematic: no fill, a dashed grey outline (coloured per feature)."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtGui import QColor

    for i in range(symbol.symbolLayerCount()):
        sl = symbol.symbolLayer(i)
        if hasattr(sl, "setStrokeColor"):
            sl.setStrokeColor(QColor(90, 90, 90))
        if hasattr(sl, "setStrokeStyle"):
            sl.setStrokeStyle(Qt.DashLine)
        if hasattr(sl, "setStrokeWidth"):
            sl.setStrokeWidth(0.6)
        sl.setColor(QColor(0, 0, 0, 0))
        if hasattr(sl, "setFillColor"):
            sl.setFillColor(QColor(0, 0, 0, 0))
    return symbol


def _text_format(font: str, size: float, bold: bool = False) -> Any:
    from qgis.core import QgsTextBufferSettings, QgsTextFormat
    from qgis.PyQt.QtGui import QColor, QFont

    fmt = QgsTextFormat()
    qfont = QFont(font)
    qfont.setBold(bold)
    fmt.setFont(qfont)
    fmt.setSize(size)
    fmt.setColor(QColor(40, 40, 40))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor(255, 255, 255))
    fmt.setBuffer(buffer)
    return fmt


def _labels(layer: Any, font: str, shown: str, text: str | None = None, size: float = 7) -> None:
    """Label drawn features "key name" (only those the rules draw)."""
    from qgis.core import (
        QgsPalLayerSettings,
        QgsProperty,
        QgsVectorLayerSimpleLabeling,
    )

    settings = QgsPalLayerSettings()
    settings.fieldName = text or "trim(coalesce(\"key\", '') || ' ' || coalesce(\"name_zh\", ''))"
    settings.isExpression = True
    settings.setFormat(_text_format(font, size))
    settings.dist = 1.0
    props = settings.dataDefinedProperties()
    props.setProperty(QgsPalLayerSettings.Show, QgsProperty.fromExpression(shown))
    settings.setDataDefinedProperties(props)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def _badges(layer: Any, font: str) -> None:
    """Draw a count badge per zone: a white disc with the count in it."""
    from qgis.core import QgsMarkerSymbol, QgsPalLayerSettings, QgsSingleSymbolRenderer

    symbol = QgsMarkerSymbol.createSimple(
        {"name": "circle", "color": "255,255,255,255", "outline_color": "60,60,60,255",
         "outline_width": "0.4", "size": "6"}
    )  # fmt: skip
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    _labels(layer, font, "true", 'to_string("count")', 8)
    labeling = layer.labeling()
    settings = labeling.settings()
    settings.placement = QgsPalLayerSettings.OverPoint
    settings.dist = 0
    labeling.setSettings(settings)


def _context(layer: Any) -> None:
    """Draw a zone faintly for its badge: thin dashed outline, no fill."""
    from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

    symbol = QgsFillSymbol.createSimple(
        {"style": "no", "outline_color": "120,120,120,140", "outline_style": "dash",
         "outline_width": "0.3"}
    )  # fmt: skip
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


def _discs(layer: Any) -> None:
    """Draw each schematic anchor's uncertainty: a faint grey disc, dashed outline."""
    from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

    symbol = QgsFillSymbol.createSimple(
        {"color": "150,150,150,20", "outline_color": "115,115,115,150", "outline_style": "dash",
         "outline_width": "0.15"}
    )  # fmt: skip
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


# --------------------------------------------------------------------------- layout
def _label(layout: Any, text: str, rect: tuple[float, ...], font: str, size: float) -> Any:
    from qgis.core import QgsLayoutItemLabel, QgsLayoutPoint, QgsLayoutSize

    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    bold = size >= 14
    if hasattr(item, "setTextFormat"):
        item.setTextFormat(_text_format(font, size, bold))
    else:  # QGIS < 3.24
        from qgis.PyQt.QtGui import QFont

        qfont = QFont(font)
        qfont.setPointSizeF(size)
        qfont.setBold(bold)
        item.setFont(qfont)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(rect[0], rect[1]))
    item.attemptResize(QgsLayoutSize(rect[2], rect[3]))
    return item


def _layout(project: Any, fig: dict[str, Any], layers: list[Any], desc: dict[str, Any]) -> None:
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsLayoutItemMap,
        QgsLayoutItemPage,
        QgsLayoutPoint,
        QgsLayoutSize,
        QgsPrintLayout,
        QgsRectangle,
        QgsRenderContext,
    )

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(fig["layout"])
    # Export as PDF keeps text as text (Chinese searchable), not outlines
    layout.setCustomProperty("textFormat", int(QgsRenderContext.TextFormatAlwaysText))
    page = layout.pageCollection().page(0)
    page.setPageSize("A4", QgsLayoutItemPage.Landscape)
    font = desc["font"]
    _label(layout, fig["title"], (10, 6, 277, 9), font, 15)
    _label(layout, fig["subtitle"], (10, 15, 277, 6), font, 8)
    themap = QgsLayoutItemMap(layout)
    layout.addLayoutItem(themap)
    themap.attemptMove(QgsLayoutPoint(10, 23))
    lines = fig["not_located"].split("\n")
    halves = 2 if len(lines) > LIST_SPLIT else 1
    listed = 3.1 * math.ceil(len(lines) / halves) + 2
    rows = sum(1 + _legend_rows(layer) for layer in layers)
    columns = min(3, math.ceil((12 + ROW_MM * rows) / (MAP_MM[1] - listed - 6)))
    size = (MAP_MM[0] - COLUMN_MM * (columns - 1), MAP_MM[1])
    panel = 10 + size[0] + 4
    themap.attemptResize(QgsLayoutSize(*size))
    crs = QgsCoordinateReferenceSystem(desc["crs"])
    themap.setCrs(crs)
    themap.setLayers(layers)
    themap.setKeepLayerSet(True)
    themap.setFrameEnabled(True)
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    extent = QgsCoordinateTransform(wgs84, crs, project).transformBoundingBox(
        QgsRectangle(*fig["extent"])
    )
    themap.setExtent(_fitted(extent, size))
    _legend(layout, themap, layers, font, (panel, columns))
    _scalebar(layout, themap, font)
    _north(layout, panel - 18)
    # the list at the foot of the panel, in two halves side by side when long
    step = math.ceil(len(lines) / halves)
    width = (287 - panel) / halves
    for n in range(halves):
        text = "\n".join(lines[n * step : (n + 1) * step])
        _label(layout, text, (panel + n * width, 183.0 - listed, width, listed), font, 6)
    _label(layout, desc["source"], (10, 186, 277, 9), font, 6.5)
    _label(layout, desc["notice"], (10, 196, 277, 8), font, 6.5)
    project.layoutManager().addLayout(layout)


def _legend_rows(layer: Any) -> int:
    """Return how many legend rows a layer shows: its classes (rules) that hold features."""
    from qgis.core import QgsFeatureRequest, QgsRuleBasedRenderer

    renderer = layer.renderer()
    if not isinstance(renderer, QgsRuleBasedRenderer):
        return len(renderer.legendSymbolItems())
    rows = 0
    for rule in renderer.rootRule().children():
        request = QgsFeatureRequest().setFilterExpression(rule.filterExpression()).setLimit(1)
        rows += any(True for _ in layer.getFeatures(request))
    return rows


def _fitted(extent: Any, size: tuple[float, float]) -> Any:
    """Return ``extent`` with a margin, widened to the map item's proportions."""
    from qgis.core import QgsRectangle

    width, height = extent.width() * 1.06, extent.height() * 1.06
    if width / height < size[0] / size[1]:
        width = height * size[0] / size[1]
    else:
        height = width * size[1] / size[0]
    centre = extent.center()
    return QgsRectangle(
        centre.x() - width / 2,
        centre.y() - height / 2,
        centre.x() + width / 2,
        centre.y() + height / 2,
    )


def _legend(
    layout: Any, themap: Any, layers: list[Any], font: str, where: tuple[float, int]
) -> None:
    """Add the legend of the figure's layers (classes on the map only) at (x, columns)."""
    from qgis.core import QgsLayoutItemLegend, QgsLayoutPoint, QgsLegendStyle
    from qgis.PyQt.QtGui import QFont

    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("图例 Legend")
    legend.setLinkedMap(themap)
    layout.addLayoutItem(legend)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.clear()
    for layer in layers:
        root.addLayer(layer).setName(layer.customProperty("geo/legend", layer.name()))
    legend.setLegendFilterByMapEnabled(True)
    sizes = {
        QgsLegendStyle.Title: (9, True),
        QgsLegendStyle.Group: (7, True),
        QgsLegendStyle.Subgroup: (6.5, True),
        QgsLegendStyle.SymbolLabel: (5.5, False),
    }
    for part, (size, bold) in sizes.items():
        qfont = QFont(font)
        qfont.setPointSizeF(size)
        qfont.setBold(bold)
        legend.rstyle(part).setFont(qfont)
    legend.rstyle(QgsLegendStyle.Symbol).setMargin(QgsLegendStyle.Top, 0.9)
    legend.rstyle(QgsLegendStyle.Group).setMargin(QgsLegendStyle.Top, 2.0)
    legend.rstyle(QgsLegendStyle.Subgroup).setMargin(QgsLegendStyle.Top, 2.0)
    legend.setSymbolHeight(2.6)
    legend.setSymbolWidth(4)
    legend.setColumnCount(where[1])
    legend.setSplitLayer(True)
    legend.attemptMove(QgsLayoutPoint(where[0], 23))
    legend.setResizeToContents(True)
    legend.adjustBoxSize()
    legend.refresh()


def _scalebar(layout: Any, themap: Any, font: str) -> None:
    from qgis.core import QgsLayoutItemScaleBar, QgsLayoutPoint, QgsUnitTypes

    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(themap)
    bar.setUnits(QgsUnitTypes.DistanceKilometers)
    bar.setUnitLabel("km")
    bar.setUnitsPerSegment(2)
    bar.setNumberOfSegments(4)
    bar.setNumberOfSegmentsLeft(0)
    if hasattr(bar, "setTextFormat"):
        bar.setTextFormat(_text_format(font, 7))
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(14, 172))


def _north(layout: Any, x: float) -> None:
    from qgis.core import QgsLayoutItemPicture, QgsLayoutPoint, QgsLayoutSize

    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(NORTH_ARROW)
    layout.addLayoutItem(arrow)
    arrow.attemptMove(QgsLayoutPoint(x, 26))
    arrow.attemptResize(QgsLayoutSize(11, 14))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
