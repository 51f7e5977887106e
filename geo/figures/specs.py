"""Declarative figure specs: Figures 1-8 of the plan and the overview "一张图".

A figure is data, not code: its captions, the plan line that names it, its styling
and its default view. Which layers it draws is declared once, in the catalog: every
layer lists its ``figures`` (``layers/catalog.yaml``), so a layer added to a data
folder can be put on a figure there. :func:`all_specs` and :func:`figure_by_id`
return the specs with those layers filled in (:func:`figure_layer_ids`).
:func:`geo.maps.builder.build_map` renders any spec, so adding a figure is registering
a :class:`FigureSpec` in :data:`FIGURES` (:func:`figure`) and its number to the
layers' ``figures`` (the recipe is in ``docs/contract.md``, "Extension points").

Captions are the plan's own words (``002_8a077782b689f185.txt``, the line given in
``plan_ref``); ``label_zh`` keeps the plan's spacing (``图3`` has no space).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from geo.data import placement
from geo.data.catalog import Catalog
from geo.data.placement import DEFAULT_SCHEMATIC_ACCURACY_M
from geo.errors import UnknownFigureError
from geo.figures.schematic import DEFAULT_SPACING_M
from geo.registries import Registry

#: The plan's file name, as cited in ``plan_ref`` values.
PLAN_FILE = "002_8a077782b689f185.txt"


@dataclass(frozen=True)
class FigureSpec:
    """One map.

    Attributes
    ----------
    id
        Output name without ``.html`` (``fig1`` ... ``fig8``, ``overview``).
    label_zh
        The figure label as the plan writes it (``图 1``), empty for the overview.
    caption_zh
        The plan's caption, exactly as written.
    caption_en
        English caption.
    layers
        Catalog layer ids, drawn in this order within each geometry type
        (polygons below lines below points). Figures 1-8 declare none: their
        layers are the catalog's (see :func:`figure_layer_ids`), filled in by
        :func:`all_specs` and :func:`figure_by_id`.
    plan_ref
        Where the plan names the figure (file and line).
    shows
        What the figure must show, in one sentence, for the index page.
    center
        Default view centre (lat, lon); ``None`` fits the layers drawn.
    zoom
        Default zoom with ``center``.
    include_catalog_figures
        Draw the catalog layers whose ``figures`` list this figure's number.
    max_accuracy_m
        Largest ``accuracy_m`` of a feature drawn as a point, on the web map and the
        print alike, and labelled there (default
        :data:`geo.data.placement.DEFAULT_MAX_ACCURACY_M`; tested by
        :func:`geo.data.placement.precise_enough`).
    schematic_accuracy_m
        Largest ``accuracy_m`` of a feature drawn as a schematic symbol near where it
        is known to lie (:mod:`geo.figures.schematic`); coarser features are counted on the
        zone they lie in when the figure draws it, or listed as not located.
    schematic_spacing_m
        Distance between schematic symbols (and from located points), in metres.
    single_colour
        Layers drawn in one colour on this figure (one legend row) although their
        features have classes: their names are on the map as labels instead.
    must_see
        What a planner must see without clicking: texts of map labels or of legend
        rows. The browser tests check each is visible when the figure opens.
    label_notes
        Feature id to a second label line (Figure 1: each city's industries).
    draw_order
        Styling only: layers of the figure drawn in this order among themselves
        (later above earlier; classes the atlas palette does not list get their
        colours in draw order too). The others keep catalog order. It adds no
        layer: each id must be on the figure.
    dense_points_above
        A point layer with more features than this is drawn as one light layer
        (:mod:`geo.maps.dense_points` on the web, one rasterised scatter in
        print) instead of one symbol, key and popup per feature.
    """

    id: str
    label_zh: str
    caption_zh: str
    caption_en: str
    layers: tuple[str, ...] = ()
    plan_ref: str = ""
    shows: str = ""
    center: tuple[float, float] | None = None
    zoom: int | None = None
    include_catalog_figures: bool = True
    # read when a spec is made: the one declared default, not a copy of it
    max_accuracy_m: float = field(default_factory=lambda: placement.DEFAULT_MAX_ACCURACY_M)
    schematic_accuracy_m: float = DEFAULT_SCHEMATIC_ACCURACY_M
    schematic_spacing_m: float = DEFAULT_SPACING_M
    single_colour: tuple[str, ...] = ()
    must_see: tuple[str, ...] = ()
    label_notes: tuple[tuple[str, str], ...] = ()
    draw_order: tuple[str, ...] = ()
    dense_points_above: int = 2_000

    @property
    def number(self) -> int | None:
        """Figure number of the plan (1-8), ``None`` for the overview."""
        digits = "".join(c for c in self.label_zh if c.isdigit())
        return int(digits) if digits else None

    @property
    def title_zh(self) -> str:
        """Label and caption as the plan prints them (``图 1：…``)."""
        return f"{self.label_zh}：{self.caption_zh}" if self.label_zh else self.caption_zh

    @property
    def filename(self) -> str:
        """Output file name (``fig1.html``)."""
        return f"{self.id}.html"


#: The plan's figures by id (``fig1`` ...), in order: each spec below registers
#: itself with :func:`figure`. :func:`all_specs` lists them, then the overview.
FIGURES: Registry[FigureSpec] = Registry("figure")


def figure(spec: FigureSpec) -> FigureSpec:
    """Register a figure spec in :data:`FIGURES` under its ``id``.

    Its layers are the catalog's whose ``figures`` list its :attr:`~FigureSpec.number`.

    Parameters
    ----------
    spec
        The figure; its id is new.

    Returns
    -------
    FigureSpec
        ``spec``.

    Raises
    ------
    DuplicateNameError
        If a figure with that id is registered already.
    """
    return FIGURES.add(spec.id, spec)


def figure_numbers() -> tuple[int, ...]:
    """Return the numbers of the registered figures, in order (1 to 8 for the plan's).

    Returns
    -------
    tuple of int
    """
    return tuple(n for n in (f.number for f in FIGURES.values()) if n is not None)


figure(
    FigureSpec(
        id="fig1",
        label_zh="图 1",
        caption_zh="西部（重庆）科学城及沙坪坝区产业功能规划",
        caption_en="Western (Chongqing) Science City and Shapingba District: "
        "industrial function plan",
        plan_ref=f"{PLAN_FILE}:L233",
        shows="Functional zones: the two cities with their leading industries, the Science "
        "City and its parks.",
        # The industries each city focuses on (plan L200 east, L204 west).
        label_notes=(
            ("city-east", "高技术服务 · 设计创意 · 生命健康"),
            ("city-west", "新一代信息技术 · 下一代汽车 · 智能制造 · 高技术服务业"),
        ),
        must_see=(
            "东部人字母城",
            "西部科技新城",
            "高技术服务 · 设计创意 · 生命健康",
            "新一代信息技术 · 下一代汽车 · 智能制造 · 高技术服务业",
            "西部（重庆）科学城沙坪坝片区",
            "产业园区",
            "楼宇产业园",
        ),
    )
)


figure(
    FigureSpec(
        id="fig2",
        label_zh="图 2",
        caption_zh="“十四五”沙坪坝区科技创新版图",
        caption_en="Shapingba District science and technology innovation layout, "
        "14th Five-Year period",
        plan_ref=f"{PLAN_FILE}:L238",
        shows="Two cities, two belts, two screens, the university rings and the incubator "
        "clusters over the district.",
        single_colour=("screens", "rings", "clusters", "projects"),
        must_see=(
            "东部人字母城",
            "西部科技新城",
            "嘉陵西岸科技创新示范带",
            "中部中梁山生态屏障",
            "西部缙云山生态屏障",
            "嘉陵江",
            "环大学创新生态圈",
        ),
        draw_order=("cities", "screens"),
    )
)


figure(
    FigureSpec(
        id="fig3",
        label_zh="图3",
        caption_zh="“十四五”期间规划重点建设的研发平台分布图",
        caption_en="R&D platforms planned for key construction in the 14th Five-Year period",
        plan_ref=f"{PLAN_FILE}:L355",
        shows="Table 3 R&D platforms by industry.",
        must_see=("集成电路", "人工智能", "智能制造", "生命健康", "高校"),
    )
)


figure(
    FigureSpec(
        id="fig4",
        label_zh="图 4",
        caption_zh="“十四五”期间规划重点建设的转化平台分布图",
        caption_en="Transformation platforms planned for key construction in the "
        "14th Five-Year period",
        plan_ref=f"{PLAN_FILE}:L387",
        shows="Table 4 transformation platforms by status, and the three incubator clusters.",
        single_colour=("clusters",),
        # the three clusters are schematic zones (rule schematic_zones); their labels
        # are named here, not the 沙滨路 road, so the print keeps them first
        must_see=("沙滨路集群", "菁云湖集群", "五云湖集群", "在建", "规划论证"),
        draw_order=("incubator_members", "transformation_platforms"),
    )
)


figure(
    FigureSpec(
        id="fig5",
        label_zh="图 5",
        caption_zh="“十四五”期间规划重点建设的产业化平台布局图",
        caption_en="Industrialisation platforms planned for key construction in the "
        "14th Five-Year period",
        plan_ref=f"{PLAN_FILE}:L398",
        shows="Industrial parks, building-type parks and the carriers of Tables 9-12.",
        single_colour=("projects",),
        must_see=("产业园区", "楼宇产业园", "双创示范园区", "西部（重庆）科学城沙坪坝片区"),
    )
)


figure(
    FigureSpec(
        id="fig6",
        label_zh="图 6",
        caption_zh="“十四五”期间规划重点建设的环大学创新生态圈分布图",
        caption_en="University innovation ecosystem rings planned for key construction in "
        "the 14th Five-Year period",
        plan_ref=f"{PLAN_FILE}:L444",
        shows="The six university rings, their campuses and key projects.",
        single_colour=("ring_members", "projects"),
        # 成渝高校协同 has no member located to ±1 km: listed as not derivable, not drawn
        must_see=("环重庆大学", "环重庆师大", "环建筑职院", "环电子职院", "环西政—川外"),
        draw_order=("ring_members", "projects"),
    )
)


figure(
    FigureSpec(
        id="fig7",
        label_zh="图 7",
        caption_zh="西部肿瘤诊疗中心资源分布图",
        caption_en="Western cancer diagnosis and treatment centre: resources",
        plan_ref=f"{PLAN_FILE}:L471",
        shows="The six Table 6 resources of the western cancer centre.",
        must_see=("医院", "医学院", "军队院校"),
    )
)


figure(
    FigureSpec(
        id="fig8",
        label_zh="图 8",
        caption_zh="“十四五”期间规划重点建设的科技科普公园分布图",
        caption_en="Science and popular-science parks planned for key construction in the "
        "14th Five-Year period",
        plan_ref=f"{PLAN_FILE}:L863",
        shows="The six 专栏 9 science parks, with the two screens and the 专栏 8 smart-city "
        "scenes as context.",
        single_colour=("screens",),  # green space: both screens one green, named on the map
        must_see=("中部中梁山生态屏障", "西部缙云山生态屏障", "科技公园", "科普公园"),
        draw_order=("smart_scenes", "science_parks"),
    )
)


def overview_spec(catalog: Catalog) -> FigureSpec:
    """Return the overview "一张图": every catalog layer on one map.

    Parameters
    ----------
    catalog
        The catalog whose layers are drawn, in catalog order.

    Returns
    -------
    FigureSpec
    """
    return FigureSpec(
        id="overview",
        label_zh="",
        caption_zh="沙坪坝区“十四五”科技创新空间布局一张图",
        caption_en="Shapingba 14th Five-Year science and technology innovation layout: "
        "every layer on one map",
        layers=tuple(catalog.layers),
        shows="Every layer of the catalog.",
        include_catalog_figures=False,
        # every layer in one colour, but rivers stay blue and roads grey
        single_colour=tuple(lid for lid in catalog.layers if lid != "axes"),
        must_see=("东部人字母城", "西部科技新城", "嘉陵江"),
    )


def figure_layer_ids(spec: FigureSpec, catalog: Catalog) -> tuple[str, ...]:
    """Return the ids of the layers a figure draws: the outline, then catalog order.

    Parameters
    ----------
    spec
        The figure.
    catalog
        The catalog: a numbered figure draws the district outline and the layers
        whose ``figures`` list its number; a figure that does not take the
        catalog's lists (the overview) draws its own ``layers``.

    Returns
    -------
    tuple of str
    """
    if not spec.include_catalog_figures or spec.number is None:
        return spec.layers
    outline = ["district"] if "district" in catalog else []  # every figure has the outline
    listed = list(dict.fromkeys([*outline, *(s.id for s in catalog.for_figure(spec.number))]))
    # the layers named in draw_order take their places in that order among themselves
    ordered = iter([lid for lid in spec.draw_order if lid in listed])
    return tuple(next(ordered) if lid in spec.draw_order else lid for lid in listed)


def with_catalog_layers(spec: FigureSpec, catalog: Catalog) -> FigureSpec:
    """Return ``spec`` with its ``layers`` filled from the catalog (:func:`figure_layer_ids`).

    Parameters
    ----------
    spec
        A figure of :data:`FIGURES` (or of your own).
    catalog
        The catalog.

    Returns
    -------
    FigureSpec
    """
    return replace(spec, layers=figure_layer_ids(spec, catalog))


def all_specs(catalog: Catalog) -> tuple[FigureSpec, ...]:
    """Return Figures 1-8, their layers from the catalog, followed by the overview.

    Parameters
    ----------
    catalog
        The catalog, whose ``figures`` lists give each figure's layers.

    Returns
    -------
    tuple of FigureSpec
    """
    return (*(with_catalog_layers(f, catalog) for f in FIGURES.values()), overview_spec(catalog))


def figure_by_id(fig_id: str, catalog: Catalog) -> FigureSpec:
    """Return the spec called ``fig_id`` (``fig3``, ``3`` or ``overview``), layers filled in.

    Parameters
    ----------
    fig_id
        The figure's id or number.
    catalog
        The catalog.

    Returns
    -------
    FigureSpec

    Raises
    ------
    UnknownFigureError
        If there is no such figure (a ``KeyError``); the message lists the figures.
    """
    key = f"fig{fig_id}" if str(fig_id).isdigit() else str(fig_id)
    for spec in all_specs(catalog):
        if spec.id == key:
            return spec
    known = ", ".join(s.id for s in all_specs(catalog))
    raise UnknownFigureError(f"unknown figure {fig_id!r}: use one of {known}")


def figures_from_text(text: str, catalog: Catalog) -> list[FigureSpec]:
    """Return the figures a comma-separated list names (``1,fig3,overview`` or ``all``).

    Parameters
    ----------
    text
        Figure ids or numbers separated by commas; ``all`` or nothing for every figure.
    catalog
        The catalog.

    Returns
    -------
    list of FigureSpec

    Raises
    ------
    UnknownFigureError
        If a figure does not exist (a ``KeyError``).
    """
    if text.strip() in {"", "all"}:
        return list(all_specs(catalog))
    return [figure_by_id(part.strip(), catalog) for part in text.split(",") if part.strip()]
