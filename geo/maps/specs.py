"""Declarative figure specs: Figures 1-8 of the plan and the overview "一张图".

A figure is data, not code: its captions, the plan line that names it, the layer ids
it draws and its default view. :func:`geo.maps.builder.build_map` renders any spec,
so adding a figure is adding a :class:`FigureSpec` to :data:`FIGURES`.

Captions are the plan's own words (``002_8a077782b689f185.txt``, the line given in
``plan_ref``); ``label_zh`` keeps the plan's spacing (``图3`` has no space).
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.catalog import Catalog
from geo.placement import DEFAULT_MAX_ACCURACY_M

#: The plan's file name, as cited in ``plan_ref`` values.
PLAN_FILE = "002_8a077782b689f185.txt"


@dataclass(frozen=True)
class FigureSpec:
    """One map.

    Attributes
    ----------
    id : str
        Output name without ``.html`` (``fig1`` ... ``fig8``, ``overview``).
    label_zh : str
        The figure label as the plan writes it (``图 1``), empty for the overview.
    caption_zh : str
        The plan's caption, exactly as written.
    caption_en : str
        English caption.
    layers : tuple of str
        Catalog layer ids, drawn in this order within each geometry type
        (polygons below lines below points). Ids absent from the catalog are
        skipped with a warning.
    plan_ref : str
        Where the plan names the figure (file and line).
    shows : str
        What the figure must show (DESIGN §2), in one sentence, for the index page.
    center : tuple of float or None
        Default view centre (lat, lon); ``None`` fits the layers drawn.
    zoom : int or None
        Default zoom with ``center``.
    include_catalog_figures : bool
        Also draw catalog layers whose ``figures`` list this figure's number.
    max_accuracy_m : float
        Largest ``accuracy_m`` of a feature drawn as a point; coarser features are
        counted on the area they are known to lie in, or listed as not located
        (:mod:`geo.placement`).
    """

    id: str
    label_zh: str
    caption_zh: str
    caption_en: str
    layers: tuple[str, ...]
    plan_ref: str = ""
    shows: str = ""
    center: tuple[float, float] | None = None
    zoom: int | None = None
    include_catalog_figures: bool = True
    max_accuracy_m: float = DEFAULT_MAX_ACCURACY_M

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


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        id="fig1",
        label_zh="图 1",
        caption_zh="西部（重庆）科学城及沙坪坝区产业功能规划",
        caption_en="Western (Chongqing) Science City and Shapingba District: "
        "industrial function plan",
        layers=(
            "district",
            "neighbours",
            "cities",
            "science_city",
            "creative_valley",
            "industrial_platforms",
            "ridges",
        ),
        plan_ref=f"{PLAN_FILE}:L233",
        shows="Functional zones: the two cities, the Science City and its parks, the east-side "
        "districts and the leading industries.",
    ),
    FigureSpec(
        id="fig2",
        label_zh="图 2",
        caption_zh="“十四五”沙坪坝区科技创新版图",
        caption_en="Shapingba District science and technology innovation layout, "
        "14th Five-Year period",
        layers=(
            "district",
            "neighbours",
            "cities",
            "screens",
            "belts",
            "rings",
            "clusters",
            "axes",
            "ridges",
        ),
        plan_ref=f"{PLAN_FILE}:L238",
        shows="Two cities, two belts, two screens, the university rings and the incubator "
        "clusters over the district.",
    ),
    FigureSpec(
        id="fig3",
        label_zh="图3",
        caption_zh="“十四五”期间规划重点建设的研发平台分布图",
        caption_en="R&D platforms planned for key construction in the 14th Five-Year period",
        layers=("district", "campuses", "rd_platforms"),
        plan_ref=f"{PLAN_FILE}:L355",
        shows="Table 3 R&D platforms by industry.",
    ),
    FigureSpec(
        id="fig4",
        label_zh="图 4",
        caption_zh="“十四五”期间规划重点建设的转化平台分布图",
        caption_en="Transformation platforms planned for key construction in the "
        "14th Five-Year period",
        layers=("district", "clusters", "incubator_members", "transformation_platforms"),
        plan_ref=f"{PLAN_FILE}:L387",
        shows="Table 4 transformation platforms by status, and the three incubator clusters.",
    ),
    FigureSpec(
        id="fig5",
        label_zh="图 5",
        caption_zh="“十四五”期间规划重点建设的产业化平台布局图",
        caption_en="Industrialisation platforms planned for key construction in the "
        "14th Five-Year period",
        layers=("district", "science_city", "industrial_platforms", "carriers"),
        plan_ref=f"{PLAN_FILE}:L398",
        shows="Industrial parks, building-type parks and the carriers of Tables 9-12.",
    ),
    FigureSpec(
        id="fig6",
        label_zh="图 6",
        caption_zh="“十四五”期间规划重点建设的环大学创新生态圈分布图",
        caption_en="University innovation ecosystem rings planned for key construction in "
        "the 14th Five-Year period",
        layers=("district", "rings", "campuses", "ring_members", "projects"),
        plan_ref=f"{PLAN_FILE}:L444",
        shows="The six university rings, their campuses and key projects.",
    ),
    FigureSpec(
        id="fig7",
        label_zh="图 7",
        caption_zh="西部肿瘤诊疗中心资源分布图",
        caption_en="Western cancer diagnosis and treatment centre: resources",
        layers=("district", "cancer_resources"),
        plan_ref=f"{PLAN_FILE}:L471",
        shows="The six Table 6 resources of the western cancer centre.",
    ),
    FigureSpec(
        id="fig8",
        label_zh="图 8",
        caption_zh="“十四五”期间规划重点建设的科技科普公园分布图",
        caption_en="Science and popular-science parks planned for key construction in the "
        "14th Five-Year period",
        layers=("district", "screens", "smart_scenes", "science_parks"),
        plan_ref=f"{PLAN_FILE}:L863",
        shows="The six 专栏 9 science parks, with the two screens and the 专栏 8 smart-city "
        "scenes as context.",
    ),
)


def overview_spec(catalog: Catalog) -> FigureSpec:
    """Return the overview "一张图": every catalog layer on one map.

    Parameters
    ----------
    catalog : Catalog
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
    )


def all_specs(catalog: Catalog) -> tuple[FigureSpec, ...]:
    """Return Figures 1-8 followed by the overview.

    Parameters
    ----------
    catalog : Catalog
        Used for the overview's layer list.

    Returns
    -------
    tuple of FigureSpec
    """
    return (*FIGURES, overview_spec(catalog))


def figure_by_id(fig_id: str, catalog: Catalog) -> FigureSpec:
    """Return the spec called ``fig_id`` (``fig3``, ``3`` or ``overview``).

    Raises
    ------
    KeyError
        If there is no such figure.
    """
    key = f"fig{fig_id}" if str(fig_id).isdigit() else str(fig_id)
    for spec in all_specs(catalog):
        if spec.id == key:
            return spec
    known = ", ".join(s.id for s in all_specs(catalog))
    raise KeyError(f"unknown figure {fig_id!r}: use one of {known}")
