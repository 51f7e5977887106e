"""The map site: every figure as one HTML file, and an index page linking them.

``site/fig1.html`` … ``site/fig8.html``, ``site/overview.html`` and
``site/index.html``. Pages load Leaflet and its plugins from ``site/assets/``
(relative links, one copy shared by every page), so the site needs no CDN; an
``--offline`` build inlines everything into each file instead. The index shows a
thumbnail per figure when ``screenshots/<id>.png`` exists in the site folder or the
folder above it (``scripts/screenshots.py`` makes them), the captions, and links to
the reports (``reports/index.html``) and the claims ledger (``claims/index.html``)
found the same way; it says which are missing. Its "at first glance" line per figure
lists the layers the figure actually draws (:func:`first_glance`). A figure whose
``must_see`` names a layer with no features is not built at all
(:func:`check_must_see`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd

from geo._io import atomic_write_text, write_if_changed
from geo.data.catalog import Catalog, LayerSpec
from geo.data.placement import _feature_specs
from geo.errors import EmptyMustSeeLayerError, MissingLayerWarning, SizeBudgetWarning
from geo.figures.labels import short_name
from geo.figures.layers import figure_layers
from geo.figures.specs import FigureSpec, all_specs, figure_layer_ids
from geo.maps.assets import localise_assets
from geo.maps.basemaps import Basemap, resolve_basemap
from geo.maps.builder import build_map
from geo.maps.css import MAP_CSS
from geo.maps.features import esc
from geo.maps.ids import stable_ids

if TYPE_CHECKING:
    from geo.data.gazetteer import GazetteerRef

#: Size budgets in bytes (issue: ≤ 400 KB online, ≤ 2 MB offline per figure).
BUDGET_ONLINE = 400 * 1024
BUDGET_OFFLINE = 2 * 1024 * 1024
#: Other pages the index links when they exist: (relative path, label).
REPORT_LINKS: tuple[tuple[str, str], ...] = (
    ("reports/index.html", "报告 Reports"),
    ("claims/index.html", "数据核查 Claims ledger"),
    ("claims/map.html", "核查地图 Claims map"),
    ("report.pdf", "审阅报告 Reviewer's PDF (figures, zone tables, claims summary)"),
    ("locate.html", "位置校正 Locate page: fix approximate positions"),
    ("offline/index.html", "离线版图集 Offline maps, one file each (for e-mail)"),
)
#: Folder of the shared Leaflet and plugin files, relative to the site folder.
ASSETS_DIR = "assets"
#: Order of layer roles in the index's "at first glance" line (the plan's zones first).
GLANCE_ROLES: dict[str, int] = {
    r: i for i, r in enumerate(("zone", "context", "site", "campus", "member", "axis", "terrain"))
}


@dataclass
class SiteResult:
    """What :func:`write_site` wrote.

    Attributes
    ----------
    out_dir
        The site folder.
    pages
        Figure id to its HTML file.
    sizes
        Figure id to file size in bytes.
    index
        The index page.
    """

    out_dir: Path
    pages: dict[str, Path] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    index: Path | None = None


def figure_page(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    basemap: Basemap,
    offline: bool,
    gazetteer: GazetteerRef = None,
    edit: bool = False,
) -> str:
    """Return one figure's page; the same inputs always give the same bytes.

    Element ids come from a counter (:func:`geo.maps.ids.stable_ids`) while the map
    is built and rendered; ``gazetteer`` and ``edit`` are :func:`build_map`'s.

    Returns
    -------
    str
    """
    from geo.maps import render_html

    with stable_ids(spec.id):
        m = build_map(spec, layers, catalog, basemap, gazetteer=gazetteer, edit=edit)
        return render_html(m, offline, title=f"{spec.title_zh} {spec.caption_en}")


def write_page(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    out_dir: Path,
    basemap: Basemap,
    offline: bool,
    gazetteer: GazetteerRef = None,
    edit: bool = False,
) -> list[Path]:
    """Write ``out_dir/<id>.html`` (and, online, the assets it links); warn if over budget.

    ``gazetteer`` places the badges of gazetteer areas, ``edit`` adds the Draw
    toolbar (see :func:`build_map`).

    Returns
    -------
    list of Path
        The page first, then the asset files it loads.
    """
    page = figure_page(spec, layers, catalog, basemap, offline, gazetteer, edit)
    assets: list[Path] = []
    if not offline:
        page, files = localise_assets(page, f"{ASSETS_DIR}/")
        assets = write_assets(out_dir / ASSETS_DIR, files)
    path = atomic_write_text(out_dir / spec.filename, page)
    check_budget(path, offline)
    return [path, *assets]


def check_budget(path: Path, offline: bool) -> int:
    """Warn when a page is over its size budget; return its size in bytes.

    Returns
    -------
    int
    """
    budget = BUDGET_OFFLINE if offline else BUDGET_ONLINE
    size = path.stat().st_size
    if size > budget:
        warnings.warn(
            f"{path.name} is {size / 1024:.0f} KB, over its {budget / 1024:.0f} KB budget",
            SizeBudgetWarning,
            stacklevel=3,
        )
    return size


def write_assets(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write asset files that are missing or differ; return every path.

    Parameters
    ----------
    folder
        The site's assets folder (created if missing).
    files
        File name to content.

    Returns
    -------
    list of Path
    """
    for name, text in files.items():
        write_if_changed(folder / name, text)
    return [folder / name for name in files]


def write_site(
    out_dir: str | Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    basemap: str | Basemap = "osm",
    offline: bool = False,
    specs: Sequence[FigureSpec] | None = None,
    gazetteer: GazetteerRef = None,
    edit: bool = False,
) -> SiteResult:
    """Write every figure and the index page.

    Parameters
    ----------
    out_dir
        Site folder (created if missing).
    layers
        Loaded layers by catalog id.
    catalog
        The catalog.
    basemap
        See :func:`geo.maps.resolve_basemap`.
    offline
        Inline every asset into each file.
    specs
        Figures to write; default Figures 1-8 and the overview.
    gazetteer
        Places the badges of gazetteer areas (see :func:`build_map`).
    edit
        Add the Draw toolbar and its Export button to every figure.

    Returns
    -------
    SiteResult

    Raises
    ------
    EmptyMustSeeLayerError
        If a figure's ``must_see`` names a layer with no features (nothing is written).
    """
    out = Path(out_dir)
    bm = basemap if isinstance(basemap, Basemap) else resolve_basemap(basemap)
    chosen = tuple(specs) if specs is not None else all_specs(catalog)
    check_must_see(chosen, catalog, layers)
    result = SiteResult(out)
    for spec in chosen:
        path = write_page(spec, layers, catalog, out, bm, offline, gazetteer, edit)[0]
        result.pages[spec.id] = path
        result.sizes[spec.id] = path.stat().st_size
    # The index lists every figure present in the folder, so writing one figure
    # does not drop the others from it.
    listed = [s for s in all_specs(catalog) if (out / s.filename).exists()]
    listed += [s for s in chosen if s.id not in {x.id for x in listed}]
    result.index = write_index(out, listed, first_glance(listed, catalog, layers))
    return result


def _find(out_dir: Path, rel: str) -> str | None:
    """Return the link to ``rel`` from the site folder (or the folder above it)."""
    for prefix, base in (("", out_dir), ("../", out_dir.parent)):
        if (base / rel).exists():
            return prefix + rel
    return None


def _card(spec: FigureSpec, out_dir: Path, drawn: Sequence[str] | None) -> str:
    thumb = _find(out_dir, f"screenshots/{spec.id}.png")
    img = (
        f'<img src="{esc(thumb)}" alt="{esc(spec.title_zh)}" loading="lazy">'
        if thumb
        else '<div class="noimg">无缩略图 no thumbnail</div>'
    )
    return (
        f'<li class="card"><a href="{esc(spec.filename)}">{img}'
        f'<div class="cap-zh">{esc(spec.title_zh)}</div></a>'
        f'<div class="cap-en">{esc(spec.caption_en)}</div>'
        f'<div class="shows">{esc(spec.shows)}</div>'
        f"{_glance(drawn)}{_print_links(spec, out_dir)}</li>"
    )


def _print_links(spec: FigureSpec, out_dir: Path) -> str:
    links = [
        f'<a href="{esc(href)}">{fmt.upper()}</a>'
        for fmt in ("png", "pdf")
        if (href := _find(out_dir, f"print/{spec.id}.{fmt}"))
    ]
    return f'<div class="shows">印刷版 Print: {" · ".join(links)}</div>' if links else ""


def _glance(drawn: Sequence[str] | None) -> str:
    if not drawn:  # unknown, or nothing drawn: promise nothing
        return ""
    return f'<div class="shows">一眼可见 At first glance: {esc("、".join(drawn))}</div>'


def _report_links(out_dir: Path) -> str:
    items, missing = [], []
    if out_dir.name == "offline":  # the offline copies sit inside a site: link its index
        items.append('<li><a href="../index.html">在线图集 Site index</a></li>')
    for rel, label in REPORT_LINKS:
        href = _find(out_dir, rel)
        if out_dir.name == "offline" and rel.startswith("offline/"):
            continue
        if href:
            items.append(f'<li><a href="{esc(href)}">{esc(label)}</a></li>')
        else:
            note = f"尚未生成 not built yet ({esc(rel)} missing)"
            missing.append(f'<li class="missing">{esc(label)}: {note}</li>')
    return "<ul class='reports'>" + "".join(items + missing) + "</ul>"


def index_html(
    specs: Iterable[FigureSpec],
    out_dir: str | Path,
    drawn: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Return the index page: a card per figure and the report links.

    Parameters
    ----------
    specs
        Figures to list, in order.
    out_dir
        The site folder, searched for thumbnails and reports.
    drawn
        Figure id to the titles of the layers it draws (:func:`first_glance`), the
        card's "at first glance" line; a figure without an entry gets no such line.

    Returns
    -------
    str
    """
    out = Path(out_dir)
    drawn = drawn or {}
    cards = "".join(_card(s, out, drawn.get(s.id)) for s in specs)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>沙坪坝区“十四五”科技创新规划 图集 · Shapingba 14th Five-Year S&amp;T plan maps</title>
<style>{MAP_CSS}
body{{font:14px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:1.5em auto;max-width:1100px;
 padding:0 1em;color:#222}}
ul.cards{{list-style:none;padding:0;display:grid;
 grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:14px}}
.card{{border:1px solid #ccc;border-radius:6px;padding:8px}}
.card img,.noimg{{width:100%;aspect-ratio:4/3;object-fit:cover;background:#eee;display:block}}
.noimg{{display:flex;align-items:center;justify-content:center;color:#777}}
.cap-zh{{font-weight:700;margin-top:4px}} .cap-en,.shows{{font-size:12px;color:#555}}
.missing{{color:#a33}}
</style></head><body>
<h1>沙坪坝区“十四五”科技创新发展规划 · 图集</h1>
<p>Interactive maps standing in for Figures 1-8 of the plan, and an overview of every layer.
Dashed shapes are schematic. 虚线图形为示意。</p>
<ul class="cards">{cards}</ul>
<h2>报告 Reports</h2>{_report_links(out)}
</body></html>
"""


def write_index(
    out_dir: str | Path,
    specs: Iterable[FigureSpec],
    drawn: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write ``out_dir/index.html`` (see :func:`index_html`).

    Returns
    -------
    Path
    """
    out = Path(out_dir)
    return atomic_write_text(out / "index.html", index_html(specs, out, drawn))


# --------------------------------------------------------------------------- what is drawn
def drawn_layers(
    spec: FigureSpec, catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> list[str]:
    """Return the ids of the layers a figure draws: those with features, as the builder does.

    Parameters
    ----------
    spec
        The figure.
    catalog
        The catalog.
    layers
        Loaded layers by id.

    Returns
    -------
    list of str
        In catalog order; a layer missing or empty is not drawn, so not listed.
    """
    with warnings.catch_warnings():  # the figure's own build reports what it leaves out
        warnings.simplefilter("ignore", MissingLayerWarning)
        chosen, _ = figure_layers(spec, catalog, layers)
    ids = {layer.id for layer in chosen}
    return [lid for lid in catalog.layers if lid in ids]


def first_glance(
    specs: Iterable[FigureSpec], catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, tuple[str, ...]]:
    """Return, per figure, the titles of the layers it draws (the outline left out).

    Parameters
    ----------
    specs
        The figures.
    catalog
        The catalog (titles and roles).
    layers
        Loaded layers by id.

    Returns
    -------
    dict of str to tuple of str
        Figure id to Chinese layer titles, for the index's "at first glance" line:
        zones first, then context, sites, campuses, members, axes and terrain
        (:data:`GLANCE_ROLES`), catalog order within a role.
    """
    out = {}
    for spec in specs:
        shown = [catalog[lid] for lid in drawn_layers(spec, catalog, layers)]
        shown = [s for s in shown if s.role != "admin"]
        shown.sort(key=lambda s: GLANCE_ROLES.get(s.role, len(GLANCE_ROLES)))  # stable
        out[spec.id] = tuple(s.title_zh for s in shown)
    return out


def _declared_names(layer: LayerSpec) -> list[str]:
    """Names a layer stands for whatever it holds: its titles and its rule's features."""
    params = (layer.derived or {}).get("params", {})
    named = [(f.get("name_zh"), f.get("aliases")) for f in _feature_specs(params)]
    return [layer.title_zh, layer.title_en, *(str(n) for pair in named for n in pair if n)]


def must_see_problems(
    spec: FigureSpec, catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> list[str]:
    """Return a line per layer the figure must show (its ``must_see``) that has no features.

    A layer is one the figure must show when a ``must_see`` text is part of its title
    or of a feature name its catalog rule declares, as written or as its map label
    shortens it (``沙滨路集群`` of 沙滨路孵化器集群).

    Parameters
    ----------
    spec
        The figure.
    catalog
        The catalog.
    layers
        Loaded layers by id.

    Returns
    -------
    list of str
        One line each: the figure, the layer, the texts it must show and the fix.
    """
    out = []
    for lid in figure_layer_ids(spec, catalog):
        frame = layers.get(lid)
        if lid not in catalog or (frame is not None and len(frame)):
            continue
        names = {n for name in _declared_names(catalog[lid]) for n in (name, short_name(name))}
        texts = [t for t in spec.must_see if any(t in name for name in names)]
        if texts:
            out.append(
                f"{spec.id}: layer {lid!r} has no features but the figure must show "
                f"{'、'.join(texts)}; fix the layer (geo validate --all) or its rule in "
                "catalog.yaml"
            )
    return out


def check_must_see(
    specs: Iterable[FigureSpec], catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> None:
    """Raise when a figure's ``must_see`` names a layer with no features.

    Parameters
    ----------
    specs
        The figures to build.
    catalog
        The catalog.
    layers
        Loaded layers by id.

    Raises
    ------
    EmptyMustSeeLayerError
        Naming every such figure and layer at once (see :func:`must_see_problems`).
    """
    problems = [p for spec in specs for p in must_see_problems(spec, catalog, layers)]
    if problems:
        raise EmptyMustSeeLayerError("; ".join(problems))
