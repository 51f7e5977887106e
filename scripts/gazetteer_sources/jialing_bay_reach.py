"""Locate 嘉陵江智慧创意湾区 as the Jialing reach between the 双碑 and 井口 peninsulas.

The plan names the bay together with the two peninsulas that frame it: "一湾两半岛，即
嘉陵江智慧创意湾区+井口科技产业半岛+双碑创意设计半岛" (sources/002_8a077782b689f185.txt:L790).
The bay is therefore the stretch of the Jialing between 双碑 (south) and 井口 (north).

Method: the 双碑 and 井口 community health-centre points (BD-09, converted to WGS-84 as in
``health_centres_bd09.py``) are projected onto ``axis-jialing-river`` of
``layers/axes.geojson`` (EPSG:4544); the reach between the two projections is cut out and
its midpoint is the gazetteer point. Accuracy = the river line's own 150 m + half the
reach + 2 000 m, the accuracy of the seats that fix the two ends along the river.

Run: ``.venv/bin/python scripts/gazetteer_sources/jialing_bay_reach.py``
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from pyproj import Transformer
from shapely.geometry import LineString, Point, shape
from shapely.ops import substring

from geo.data.crs import convert

ROOT = Path(__file__).resolve().parents[2]
#: BD-09 seats of the health-centre list (health_centres_bd09.CENTRES).
ENDS: dict[str, tuple[float, float]] = {
    "双碑": (106.449535, 29.60807),
    "井口": (106.451827, 29.64271),
}
LINE_ACCURACY_M = 150.0
SEAT_ACCURACY_M = 2000.0


def bay_reach() -> tuple[float, float, float, float]:
    """Return (lon, lat, reach length m, accuracy m) of the bay reach midpoint."""
    axes = json.loads((ROOT / "layers" / "axes.geojson").read_text(encoding="utf-8"))
    river = next(
        shape(f["geometry"])
        for f in axes["features"]
        if f["properties"]["id"] == "axis-jialing-river"
    )
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:4544", always_xy=True).transform
    to_deg = Transformer.from_crs("EPSG:4544", "EPSG:4326", always_xy=True).transform
    line = LineString([to_m(x, y) for x, y in river.coords])
    cuts = []
    for lng, lat in ENDS.values():
        x, y = convert(lng, lat, "bd09", "wgs84")
        cuts.append(line.project(Point(to_m(float(x), float(y)))))
    reach = substring(line, min(cuts), max(cuts))
    mid = reach.interpolate(0.5, normalized=True)
    lon, lat = to_deg(mid.x, mid.y)
    accuracy = LINE_ACCURACY_M + reach.length / 2 + SEAT_ACCURACY_M
    return lon, lat, reach.length, math.ceil(accuracy / 100) * 100


def main() -> None:
    lon, lat, length, accuracy = bay_reach()
    print(f"reach {length:.0f} m; midpoint {lon:.6f} {lat:.6f}; accuracy_m {accuracy:.0f}")


if __name__ == "__main__":
    main()
