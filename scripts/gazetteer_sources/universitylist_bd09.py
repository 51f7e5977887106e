"""Convert the Shapingba entries of a public Baidu Place list to WGS-84 gazetteer points.

Source: GitHub repository ``whr810012/uni-soket-ai``, file ``util/universityList.js``
(commit 15d579b0c199ccc4376779ed1e10be7efedf2462), a nationwide list of universities
with ``location: {lat, lng}``, ``uid``, ``detail`` and ``area`` fields as returned by the
Baidu Place API. The values below were transcribed from that file (no network needed).

Datum check: the list's 重庆师范大学(大学城校区) point, read as BD-09 and converted to
WGS-84, lies ~230 m from the en.wikipedia coordinate already in the gazetteer; read as
GCJ-02 it lies ~800 m away, read as WGS-84 ~860 m. So the list is BD-09. A second check
with the list's 重庆大学-A区 (沙正街174号) against the zh.wikipedia 重庆大学 coordinate:
BD-09 117 m, GCJ-02 1025 m, WGS-84 1151 m.

Run: ``.venv/bin/python scripts/gazetteer_sources/universitylist_bd09.py``
"""

from __future__ import annotations

import math

from geo.data.crs import convert

#: name in the list -> (lat, lng) as BD-09, list index, uid
ENTRIES: dict[str, tuple[float, float, int, str]] = {
    "重庆电子科技职业大学": (29.624117, 106.33082, 301, "f973a43ca99cda1aeedfca4d"),
    "重庆医药高等专科学校": (29.632984, 106.319512, 333, "cde9e2c79ea5a2cae81e975e"),
    "重庆商务职业学院": (29.642912, 106.317272, 595, "161a0ed23c43432d5cd4fe4a"),
    "四川美术学院(虎溪校区)": (29.608766, 106.303877, 710, "50fb64ff7d9ee55de9f85361"),
    "勤务学院": (29.635466, 106.324651, 776, "9b48e9ac25b1c1fc94ec84f1"),  # bus stop POI
    "重庆师范大学(大学城校区)": (29.618613, 106.307308, 1078, "64ff3be1679ed3bb90114c61"),
    # read later (offsets 432 000-600 000 and 616 000-920 000):
    "重庆大学-A区": (29.571111, 106.475186, 1564, "bead17dc686a0f5f213bf20d"),  # check only
    "重庆科技大学(虎溪校区)": (29.596567, 106.330207, 2002, "9bfa05339216bd2920026214"),
    "四川外国语大学": (29.576542, 106.442919, 2017, "0a15c7eca5ff1efded74f8cc"),
    "重庆建筑科技职业学院": (29.624144, 106.334728, 2399, "3810c879a219b0889d09f78a"),
    "重庆警察学院": (29.631993, 106.326001, 2419, "b25ffba8a1b64b831b94c6fa"),
}

#: WGS-84 references used for the datum checks: list entry -> Wikipedia coordinate.
#: 1. en.wikipedia Chongqing Normal University (大学城中路37号).
#: 2. zh.wikipedia 重庆大学 (沙正街174号 = the list's 重庆大学-A区 address).
CHECKS: dict[str, tuple[float, float]] = {
    "重庆师范大学(大学城校区)": (106.2994, 29.615),
    "重庆大学-A区": (106.46444, 29.56667),
}
CHECK_NAME = "重庆师范大学(大学城校区)"
CHECK_WGS84 = CHECKS[CHECK_NAME]


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    dp, dl = p2 - p1, math.radians(b[0] - a[0])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def main() -> None:
    for name, ref in CHECKS.items():
        lat, lng, _, _ = ENTRIES[name]
        for datum in ("bd09", "gcj02", "wgs84"):
            x, y = convert(lng, lat, datum, "wgs84") if datum != "wgs84" else (lng, lat)
            print(f"check {name} as {datum}: {haversine_m((float(x), float(y)), ref):.0f} m")
    for name, (lat, lng, index, uid) in ENTRIES.items():
        x, y = convert(lng, lat, "bd09", "wgs84")
        print(f"{name}\t{float(x):.6f}\t{float(y):.6f}\tindex {index}\tuid {uid}")


if __name__ == "__main__":
    main()
