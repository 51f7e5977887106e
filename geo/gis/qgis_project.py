"""``geo export --format qgis``: a QGIS project (``.qgz``) with a print layout per figure.

The GeoPackage is written beside the project (:func:`geo.gis.export.write_gpkg`, QGIS
styles embedded) with, for every figure, its point layers as depicted
(:func:`geo.figures.depiction.depict`): each feature at the position the web map
draws it, with a ``placement`` attribute (``point``, ``schematic``, ``badge``,
``listed``), plus the figure's count badges and the zones drawn faintly for them.
Then :mod:`geo.gis.qgis_layout` is run by Debian's ``/usr/bin/python3`` (PyQGIS is
not installable into a virtual environment) with a JSON description of the figures;
it writes the project, which names the GeoPackage by a relative path. Both files are
built in scratch space and put in place atomically.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo._io import atomic_write_bytes
from geo.data.catalog import Catalog, LayerSpec
from geo.data.crs import METRIC_CRS, STORAGE_CRS
from geo.errors import ExportError, MissingDependencyError
from geo.figures.depiction import Depiction, LayerDepiction, Shown, depict
from geo.figures.layers import figure_layers
from geo.figures.placed import area_anchors
from geo.figures.specs import FigureSpec, all_specs
from geo.figures.texts import PLAN_SOURCE_EN, PLAN_SOURCE_ZH, SCHEMATIC_NOTE
from geo.gis.export import write_gpkg

__all__ = ["PYQGIS_PYTHON", "figure_tables", "pyqgis_python", "write_qgis_project"]

#: The Python PyQGIS is installed for (Debian's ``python3-qgis``).
PYQGIS_PYTHON = "/usr/bin/python3"
#: Font of the layouts' text (Debian's ``fonts-noto-cjk``).
LAYOUT_FONT = "Noto Sans CJK SC"
#: How to get PyQGIS, said when it is missing.
INSTALL_HINT = (
    "install it with `sudo apt-get install qgis python3-qgis` (Debian/Ubuntu) or `make qgis`"
)
_SCRIPT = Path(__file__).with_name("qgis_layout.py")
_TIMEOUT_S = 600


def pyqgis_python() -> str:
    """Return the Python that imports PyQGIS, or say in one line how to get it.

    Returns
    -------
    str
        :data:`PYQGIS_PYTHON`, or ``$GEO_PYQGIS_PYTHON`` when set.

    Raises
    ------
    MissingDependencyError
        When that Python is missing or cannot import ``qgis.core``.
    """
    python = os.environ.get("GEO_PYQGIS_PYTHON", PYQGIS_PYTHON)
    try:
        ok = (
            subprocess.run(
                [python, "-c", "import qgis.core"],
                capture_output=True,
                timeout=120,
                check=False,
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        raise MissingDependencyError(
            f"--format qgis needs PyQGIS, which {python} cannot import: {INSTALL_HINT}, "
            "then run the export again"
        )
    return python


def _spec(layer: LayerSpec, fig: FigureSpec, what: str, geometry: str) -> LayerSpec:
    return replace(
        layer,
        id=f"{fig.id}__{what}",
        title_zh=f"{fig.label_zh or '总图'} {layer.title_zh}".strip(),
        title_en=f"{fig.id} {layer.title_en}" + ("" if what == layer.id else f" ({what})"),
        geometry_type=geometry,
        figures=(),
        file=None,
        derived=None,
    )


def _placed(ld: LayerDepiction) -> gpd.GeoDataFrame:
    """Return a point layer as the figure shows it: every feature, with its ``placement``."""
    parts = [
        ld.drawn.drop(columns=["shown"]).assign(placement=ld.drawn["shown"].astype(str)),
        ld.badges.assign(placement=Shown.BADGE.value),
        ld.listed.assign(placement=Shown.LISTED.value),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return ld.drawn.assign(placement=pd.Series(dtype=object))
    frame = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry=ld.drawn.geometry.name, crs=STORAGE_CRS)


def _badges(
    dep: Depiction, catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """One point per zone holding counted features: its count and their names."""
    members: dict[str, list[str]] = {}
    for ld in dep.layers:
        for zone, name in zip(ld.badges["within"], ld.badges["name_zh"], strict=True):
            members.setdefault(str(zone), []).append(str(name))
    spots = area_anchors(set(members), catalog, {**layers, **_context_layers(dep)})
    rows = [
        {
            "id": zone,
            "name_zh": spots[zone][2],
            "count": len(names),
            "members": "、".join(sorted(names)),
            "geometry": shapely.Point(spots[zone][0], spots[zone][1]),
        }
        for zone, names in sorted(members.items())
        if zone in spots
    ]
    frame = pd.DataFrame(rows, columns=["id", "name_zh", "count", "members", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=STORAGE_CRS)


def _discs(dep: Depiction) -> gpd.GeoDataFrame:
    """Return one faint disc per schematic anchor: the uncertainty its symbols stand for."""
    rows = [
        {
            "id": f"disc-{n}",
            "radius_m": d.radius_m,
            "members": ",".join(d.ids),
            "geometry": shapely.Point(d.x, d.y).buffer(d.radius_m, quad_segs=32),
        }
        for n, d in enumerate(dep.discs, start=1)
    ]
    frame = pd.DataFrame(rows, columns=["id", "radius_m", "members", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)


def _context_layers(dep: Depiction) -> dict[str, gpd.GeoDataFrame]:
    return {str(k): g for k, g in dep.context.groupby("layer")} if len(dep.context) else {}


def _not_located(dep: Depiction) -> str:
    """Return the layout's list: every listed feature, with the zone it lies in when known."""
    lines = []
    for ld in dep.layers:
        for _, row in ld.listed.sort_values("id").iterrows():
            key = dep.keys.get(str(row["id"]))
            area = f"（{row['area']}）" if str(row.get("area") or "") else ""
            lines.append(f"{key.text + ' ' if key else ''}{row['name_zh']}{area}")
    head = f"位置未定 / not located（{len(lines)}）"
    return "\n".join([head, *lines]) if lines else f"{head}：无 none"


def figure_tables(
    spec: FigureSpec, catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> tuple[list[tuple[LayerSpec, gpd.GeoDataFrame | None, str]], Depiction]:
    """Return a figure's tables in drawing order (bottom first) and its depiction.

    Parameters
    ----------
    spec
        The figure (layers filled in).
    catalog
        The catalog.
    layers
        Loaded layers (EPSG:4326).

    Returns
    -------
    tuple
        ``(layer spec, frame or None, kind)`` per table, ``kind`` one of ``plain`` (a
        catalog table, frame ``None``), ``context``, ``discs`` (the uncertainty of
        schematic symbols), ``placed`` (a point layer as the figure depicts it) and
        ``badges``; and the figure's :class:`Depiction`.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the maps report missing layers themselves
        chosen, _ = figure_layers(spec, catalog, layers)
    dep = depict(spec, chosen, layers, catalog)
    placed = {ld.layer.id: ld for ld in dep.layers}
    out: list[tuple[LayerSpec, gpd.GeoDataFrame | None, str]] = []
    if len(dep.context):
        first = catalog[str(dep.context["layer"].iloc[0])]
        out.append((_spec(first, spec, "context", "Polygon"), dep.context, "context"))
    for layer in chosen:
        if layer.id in placed:
            frame = _placed(placed[layer.id])
            out.append((_spec(layer, spec, layer.id, "Point"), frame, "placed"))
        else:
            out.append((layer, None, "plain"))
    discs = _discs(dep)
    if len(discs):
        at = next((i for i, (_, _, k) in enumerate(out) if k == "placed"), len(out))
        out.insert(at, (_spec(chosen[-1], spec, "discs", "Polygon"), discs, "discs"))
    badges = _badges(dep, catalog, layers)
    if len(badges):
        style = next((ld.layer for ld in dep.layers), chosen[-1])
        out.append((_spec(style, spec, "badges", "Point"), badges, "badges"))
    return out, dep


def _extent(layers: Mapping[str, gpd.GeoDataFrame]) -> list[float]:
    """Return the district's bounds (WGS-84), or those of every layer without it."""
    district = layers.get("district")
    if district is not None and len(district):
        return [float(v) for v in district.total_bounds]
    frames = [g for g in layers.values() if g is not None and len(g)]
    return [float(v) for v in pd.concat(frames).total_bounds]


def _description(
    catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame], qgz: Path, gpkg: Path
) -> tuple[dict[str, Any], dict[str, gpd.GeoDataFrame], list[LayerSpec]]:
    """Return the JSON the PyQGIS script reads, the extra tables and their specs."""
    extra: dict[str, gpd.GeoDataFrame] = {}
    specs: list[LayerSpec] = []
    figures = []
    for spec in all_specs(catalog):
        tables, dep = figure_tables(spec, catalog, layers)
        entries = []
        for layer, frame, kind in tables:
            if frame is not None:
                extra[layer.id] = frame
                specs.append(layer)
            name = _name(layer, kind)
            own = kind in ("badges", "context", "discs")
            short = name if own else catalog_title(layer, catalog)
            entries.append({"table": layer.id, "name": name, "kind": kind, "legend": short})
        label = spec.label_zh or "总图"
        figures.append(
            {
                "id": spec.id,
                "group": f"{label} {spec.caption_zh}",
                "layout": f"{spec.id} {label} {spec.caption_zh}",
                "title": spec.title_zh,
                "subtitle": spec.caption_en,
                "layers": entries,
                "not_located": _not_located(dep),
                "extent": _extent(layers),
            }
        )
    desc = {
        "qgz": str(qgz),
        "gpkg": gpkg.name,
        "crs": METRIC_CRS,
        "title": "沙坪坝区“十四五”科技创新发展规划 图 1—8 Shapingba figures 1-8",
        "font": LAYOUT_FONT,
        "source": f"{PLAN_SOURCE_ZH}\n{PLAN_SOURCE_EN}",
        "notice": SCHEMATIC_NOTE
        + " 空心虚线符号为示意位置，非实际点位；计数圆圈为片区内的项目数。",
        "figures": figures,
    }
    return desc, extra, specs


def catalog_title(layer: LayerSpec, catalog: Catalog) -> str:
    """Return the Chinese title of a layer, or of the catalog layer a figure's table shows.

    Parameters
    ----------
    layer
        A catalog layer, or a figure's table (``fig3__rd_platforms``).
    catalog
        The catalog.

    Returns
    -------
    str
    """
    source = layer.id.split("__", 1)[-1]
    return catalog[source].title_zh if source in catalog else layer.title_zh


def _name(layer: LayerSpec, kind: str) -> str:
    if kind == "badges":
        return "片区计数 counted on their zone"
    if kind == "context":
        return "所在片区（示意） zones of the counts"
    if kind == "discs":
        return "示意位置的不确定范围 uncertainty of schematic positions"
    return f"{layer.title_zh} {layer.title_en}"


def write_qgis_project(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, out: str | Path, crs: str
) -> list[Path]:
    """Write ``out`` (``.qgz``) and its GeoPackage beside it (same name, ``.gpkg``).

    Parameters
    ----------
    layers
        The layers, by catalog id, in EPSG:4326.
    catalog
        The catalog.
    out
        The project file.
    crs
        CRS of the GeoPackage's tables (the layouts are drawn in EPSG:4544).

    Returns
    -------
    list of Path
        The GeoPackage and the project.

    Raises
    ------
    MissingDependencyError
        When PyQGIS is not installed (the line says how to get it).
    ExportError
        When QGIS could not write the project; nothing is left in place.
    """
    python = pyqgis_python()
    out = Path(out)
    out = out if out.suffix == ".qgz" else out.with_suffix(".qgz")
    gpkg = out.with_suffix(".gpkg")
    with tempfile.TemporaryDirectory(prefix="geo-qgis-") as scratch:
        staged_qgz, staged_gpkg = Path(scratch) / out.name, Path(scratch) / gpkg.name
        desc, extra, specs = _description(catalog, layers, staged_qgz, staged_gpkg)
        every = Catalog({**catalog.layers, **{s.id: s for s in specs}}, catalog.folder)
        write_gpkg({**layers, **extra}, every, staged_gpkg, crs=crs)
        described = Path(scratch) / "figures.json"
        described.write_text(json.dumps(desc, ensure_ascii=False, indent=1), encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        env.pop("PYTHONPATH", None)  # Debian's Python, with its own packages only
        # -I: the script's folder is not searched (geo/gis/qgis.py is not PyQGIS)
        run = subprocess.run(
            [python, "-I", str(_SCRIPT), str(described)],
            capture_output=True,
            text=True,
            env=env,
            timeout=_TIMEOUT_S,
            check=False,
        )
        if run.returncode != 0 or not staged_qgz.exists():
            said = (run.stderr.strip().splitlines() or ["no message"])[-1]
            raise ExportError(
                f"{out}: not written: QGIS said: {said} -> fix: run `{python} -c "
                "'import qgis.core'` to check PyQGIS works, or export --format gpkg"
            )
        atomic_write_bytes(gpkg, staged_gpkg.read_bytes())
        atomic_write_bytes(out, staged_qgz.read_bytes())
    return [gpkg, out]
