"""Applying user positions to the gazetteer: atomic, reviewed, followed downstream."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyproj import Geod

from geo.cli import main
from geo.data.accuracy import hand_placed_error_m, position_accuracy
from geo.data.gazetteer import load_gazetteer
from geo.data.layers import _load_layer
from geo.errors import GazetteerError, LayerValidationError
from geo.gis.correction import (
    Correction,
    corrections_from_review,
    fix_positions,
    parse_gazetteer_text,
    position_correction,
)
from geo.gis.poi import match_points, read_points
from geo.maps.assets import external_references
from geo.maps.locate import script_json

DATA = Path(__file__).parent / "data" / "gazetteer_fix"
AMAP = DATA / "amap_pois_gcj02.json"
GEOD = Geod(ellps="WGS84")
SWUPL = (106.4296, 29.5711)  # fixture truth for 西南政法大学, WGS-84
REPO_LAYERS = Path(__file__).resolve().parents[1] / "layers"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fixes(fix_layers: Path) -> list[Correction]:
    gaz = load_gazetteer(fix_layers / "gazetteer.csv")
    district = _load_layer("district").geometry.union_all()
    review = match_points(read_points(AMAP, "gcj02").points, gaz, district)
    fixes, _ = corrections_from_review(review, "AMap POI search 2026-11", file_label=AMAP.name)
    return fixes


def _rows(path: Path) -> dict[str, dict[str, str]]:
    _, rows = parse_gazetteer_text(path.read_text(encoding="utf-8"))
    return {r["name_zh"]: r for r in rows}


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def test_apply_moves_dependent_features_and_rebuilds_derived_zones(fix_layers):
    sites_before = _load_layer("sites").set_index("id")
    east_before = _load_layer("clusters").set_index("id").geometry["cluster-east"]
    result = fix_positions(_fixes(fix_layers), fix_layers)
    assert result.written
    sites = _load_layer("sites").set_index("id")
    moved = sites.geometry["site-swupl"]
    assert _metres((moved.x, moved.y), SWUPL) < 5.0
    assert _metres((moved.x, moved.y), (sites_before.geometry["site-swupl"].x, 29.57277)) > 300
    # the park anchored at 西南政法大学 follows its anchor, with the anchor's new accuracy
    park = sites.loc["site-park"]
    assert park.geometry.equals_exact(moved, 1e-9)
    assert float(park["accuracy_m"]) == 330 + 500
    east = _load_layer("clusters").set_index("id").geometry["cluster-east"]
    assert not east.equals_exact(east_before, 1e-6)
    # the downstream report says so, computed before the write
    assert "site-swupl" in result.downstream.moved["sites"]
    assert {z[1] for z in result.downstream.zones} == {"cluster-east", "cluster-west"}


def test_apply_keeps_every_other_byte_and_column(fix_layers):
    path = fix_layers / "gazetteer.csv"
    before_lines = path.read_text(encoding="utf-8").splitlines()
    result = fix_positions(_fixes(fix_layers), fix_layers)
    after_lines = path.read_text(encoding="utf-8").splitlines()
    assert after_lines[0] == before_lines[0]  # header: within and checked_by kept
    changed = {c.place for c in result.changes}
    assert changed == {"西南政法大学", "重庆大学附属肿瘤医院", "重庆医科大学", "壮志凌云·文创园"}
    for old, new in zip(before_lines[1:], after_lines[1:], strict=True):
        if old.split(",")[0] not in changed:
            assert old == new
    rows = _rows(path)
    swupl = rows["西南政法大学"]
    assert swupl["within"] == "童家桥街道"
    assert not swupl["note"].startswith("APPROXIMATE")
    assert swupl["source_datum"] == "gcj02"
    assert "amap_pois_gcj02.json" in swupl["source"]
    assert swupl["kind"] == "university-campus"
    assert rows["四川外国语大学"]["checked_by"] == "surveyor A"
    assert result.backup is not None
    assert result.backup.read_text(encoding="utf-8").splitlines() == before_lines


def test_ambiguous_and_outside_rows_are_not_applied(fix_layers):
    before = _rows(fix_layers / "gazetteer.csv")
    fix_positions(_fixes(fix_layers), fix_layers)
    after = _rows(fix_layers / "gazetteer.csv")
    # 新桥医院 was given twice 2 km apart; the Yubei campus lies outside the district
    assert after["新桥医院"] == before["新桥医院"]
    swupl = after["西南政法大学"]
    assert _metres((float(swupl["lon"]), float(swupl["lat"])), SWUPL) < 5.0


def test_dry_run_reports_and_writes_nothing(fix_layers):
    path = fix_layers / "gazetteer.csv"
    digest = _digest(path)
    result = fix_positions(_fixes(fix_layers), fix_layers, dry_run=True)
    assert not result.written
    assert result.changes
    assert result.downstream.zones
    assert _digest(path) == digest
    assert not (fix_layers / ".backup").exists()


def test_a_failed_write_leaves_the_gazetteer_byte_identical(fix_layers, monkeypatch):
    path = fix_layers / "gazetteer.csv"
    digest = _digest(path)

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("geo._io.os.fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        fix_positions(_fixes(fix_layers), fix_layers, downstream=False)
    assert _digest(path) == digest
    assert [p.name for p in fix_layers.iterdir() if p.name.startswith(".gazetteer")] == []


def test_a_killed_apply_leaves_the_gazetteer_byte_identical(fix_layers):
    """Kill the process (SIGKILL) after the new text is written, before the rename."""
    path = fix_layers / "gazetteer.csv"
    digest = _digest(path)
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.argv = ["geo", "gazetteer", "apply", {str(AMAP)!r}, "--crs", "gcj02",
                    "--source", "AMap POI search"]
        real_fsync = os.fsync
        def fsync_then_die(fd):
            real_fsync(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        os.fsync = fsync_then_die
        from geo.cli import main
        main()
        """
    )
    env = {**os.environ, "GEO_LAYERS_DIR": str(fix_layers)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    assert _digest(path) == digest
    assert load_gazetteer(path).lookup("西政").approximate


def test_cli_match_prints_the_review_and_writes_nothing(fix_layers, capsys):
    digest = _digest(fix_layers / "gazetteer.csv")
    assert main(["gazetteer", "match", str(AMAP), "--crs", "gcj02"]) == 0
    out = capsys.readouterr().out
    assert "西南政法大学" in out
    assert "ambiguous" in out
    assert "outside" in out
    assert _digest(fix_layers / "gazetteer.csv") == digest


def test_cli_apply_only_accepts_a_warned_row(fix_layers, capsys):
    code = main(
        ["gazetteer", "apply", str(AMAP), "--crs", "gcj02", "--source", "AMap", "--only", "川外"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "四川外国语大学" in out
    assert "wrote" in out
    rows = _rows(fix_layers / "gazetteer.csv")
    assert rows["四川外国语大学"]["source_datum"] == "gcj02"
    assert rows["西南政法大学"]["note"].startswith("APPROXIMATE")  # not named in --only


def test_cli_set_one_place_by_hand_in_gcj02(fix_layers, capsys):
    # 西南政法大学 given in GCJ-02 (prcoords forward transform of the fixture truth)
    lon, lat = 106.433612, 29.568558
    code = main(
        [
            "gazetteer",
            "set",
            "西政",
            "--lon",
            str(lon),
            "--lat",
            str(lat),
            "--crs",
            "gcj02",
            "--source",
            "read off the AMap web map, 2026-11-27",
            "--accuracy-m",
            "20",
        ]
    )
    assert code == 0, capsys.readouterr().err
    row = _rows(fix_layers / "gazetteer.csv")["西南政法大学"]
    assert _metres((float(row["lon"]), float(row["lat"])), SWUPL) < 5.0
    assert row["accuracy_m"] == "320"  # campus extent 300 m + the point's 20 m


def test_set_refuses_a_road_and_a_point_outside_the_district(fix_layers):
    gaz = load_gazetteer(fix_layers / "gazetteer.csv")
    district = _load_layer("district").geometry.union_all()
    with pytest.raises(LayerValidationError, match="cannot be located by one point"):
        position_correction(gaz, "沙滨路", 106.45, 29.60, "wgs84", "s", district=district)
    with pytest.raises(LayerValidationError, match="outside the district"):
        position_correction(gaz, "西政", 106.53, 29.72, "wgs84", "s", district=district)
    with pytest.raises(GazetteerError):
        position_correction(gaz, "no such place", 106.43, 29.57, "wgs84", "s")


def test_position_accuracy_adds_the_place_extent():
    assert position_accuracy("university-campus") == 330  # 300 m campus + 30 m POI
    assert position_accuracy("building", 5) == 110
    assert math.isinf(position_accuracy("road"))
    # Web Mercator: 2πR/256 m per pixel at zoom 0, scaled by cos(lat); 10 pixels
    per_px = 2 * math.pi * 6378137 / 256 * math.cos(math.radians(29.6)) / 2**16
    assert hand_placed_error_m(16) == pytest.approx(10 * per_px, rel=1e-6)


@pytest.mark.slow
def test_real_layers_report_ring_area_and_claims_for_a_fix():
    """A dry run against the repository's layers: ring-cqu follows 重庆大学B区."""
    gaz = load_gazetteer(REPO_LAYERS / "gazetteer.csv")
    place = gaz.lookup("重庆大学B区")
    # 900 m west of its anchor, inside the old 1 900 m accuracy
    lon = place.lon - 900 / (111320 * math.cos(math.radians(place.lat)))
    fix = Correction("重庆大学B区", lon, place.lat, "wgs84", "test", 330.0)
    result = fix_positions([fix], REPO_LAYERS, dry_run=True)
    assert not result.written
    zones = {z[1]: z for z in result.downstream.zones}
    assert "ring-cqu" in zones
    assert zones["ring-cqu"][2] != zones["ring-cqu"][3]


def test_a_projected_input_records_its_crs_in_the_source_and_wgs84_as_datum(fix_layers, tmp_path):
    import geopandas as gpd

    pts = gpd.GeoDataFrame(
        {"名称": ["西南政法大学"]}, geometry=gpd.points_from_xy([SWUPL[0]], [SWUPL[1]]), crs=4326
    ).to_crs("EPSG:4544")
    path = tmp_path / "survey.gpkg"
    pts.to_file(path, driver="GPKG")
    gaz = load_gazetteer(fix_layers / "gazetteer.csv")
    review = match_points(read_points(path, "EPSG:4544").points, gaz)
    fixes, _ = corrections_from_review(review, "planning bureau survey", file_label=path.name)
    fix_positions(fixes, fix_layers, downstream=False)
    row = _rows(fix_layers / "gazetteer.csv")["西南政法大学"]
    assert row["source_datum"] == "wgs84"
    assert "EPSG:4544" in row["source"]
    assert _metres((float(row["lon"]), float(row["lat"])), SWUPL) < 1.0


def test_geleshan_forest_park_checks_out_against_the_mountain():
    """The park's infobox point agrees with the other evidence for 歌乐山."""
    import eviltransform
    import geopandas as gpd
    from shapely.geometry import Point

    park = load_gazetteer(REPO_LAYERS / "gazetteer.csv").lookup("歌乐山森林公园")
    # inside the encyclopedia extent of 歌乐山: E106°23′52″–106°26′42″, N29°29′30″–29°44′50″
    assert 106 + 23 / 60 + 52 / 3600 <= park.lon <= 106 + 26 / 60 + 42 / 3600
    assert 29 + 29 / 60 + 30 / 3600 <= park.lat <= 29 + 44 / 60 + 50 / 3600
    ridges = gpd.read_file(REPO_LAYERS / "ridges.geojson").set_index("id").to_crs(4544)
    here = gpd.GeoSeries([Point(park.lon, park.lat)], crs=4326).to_crs(4544).iloc[0]
    assert ridges.geometry["ridge-zhongliang"].distance(here) < 2300  # half the 4.6 km ridge
    # the datum is not stated: reading it as GCJ-02 must stay inside the stated accuracy
    lat_w, lon_w = eviltransform.gcj2wgs_exact(park.lat, park.lon)
    radius = math.sqrt(16e6 / math.pi)  # the infobox area, 16 km², as a disc
    assert radius + _metres((park.lon, park.lat), (lon_w, lat_w)) <= park.accuracy_m
    assert not park.approximate


def test_a_correction_that_breaks_the_gazetteer_checks_is_refused(fix_layers):
    path = fix_layers / "gazetteer.csv"
    digest = _digest(path)
    # metres taken for degrees would land far outside the Shapingba box
    bad = Correction("西南政法大学", 29.5711, 106.4296, "wgs84", "swapped", 330.0)
    with pytest.raises(LayerValidationError, match="outside the Shapingba area box"):
        fix_positions([bad], fix_layers, downstream=False)
    unknown = Correction("不存在的地方", 106.43, 29.57, "wgs84", "s", 330.0)
    with pytest.raises(LayerValidationError, match="不存在的地方"):
        fix_positions([unknown], fix_layers, downstream=False)
    assert _digest(path) == digest


def test_a_located_row_keeps_its_note_and_an_anchored_one_loses_approximate(fix_layers):
    fixes = [
        Correction("四川外国语大学", 106.4300, 29.5740, "gcj02", "AMap", 330.0),
        Correction("重庆大学B区", 106.4600, 29.5650, "wgs84", "survey", 330.0),
    ]
    fix_positions(fixes, fix_layers, downstream=False)
    rows = _rows(fix_layers / "gazetteer.csv")
    assert rows["四川外国语大学"]["note"].endswith("earlier note: One POI point for the campus")
    assert rows["重庆大学B区"]["note"].startswith("Position supplied on ")
    assert "APPROXIMATE" not in rows["重庆大学B区"]["note"]


def test_cli_locate_writes_a_self_contained_page(fix_layers, tmp_path, capsys):
    out = tmp_path / "site" / "locate.html"
    assert main(["gazetteer", "locate", "--out", str(out), "--basemap", "none"]) == 0
    page = out.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert "西南政法大学" in page
    assert "wrote" in capsys.readouterr().out


def test_script_json_cannot_close_the_script():
    text = script_json({"name": "</script><!-- & -->"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == {"name": "</script><!-- & -->"}


def test_anchored_places_follow_their_anchor_down_the_chain(fix_layers):
    # 壮志凌云·文创园 is anchored at 西南政法大学, which is anchored at 四川外国语大学
    fix = Correction("四川外国语大学", 106.4300, 29.5740, "gcj02", "AMap", 330.0)
    result = fix_positions([fix], fix_layers, downstream=False)
    assert [(c.place, c.follows) for c in result.changes] == [
        ("四川外国语大学", ""),
        ("西南政法大学", "四川外国语大学"),
        ("壮志凌云·文创园", "西南政法大学"),
    ]
    rows = _rows(fix_layers / "gazetteer.csv")
    for name in ("西南政法大学", "壮志凌云·文创园"):
        assert (rows[name]["lon"], rows[name]["lat"]) == ("106.430000", "29.574000")
        assert rows[name]["note"].startswith("APPROXIMATE")  # still anchored, not located
    assert rows["西南政法大学"]["accuracy_m"] == str(330 + 1500)
    assert rows["壮志凌云·文创园"]["accuracy_m"] == str(330 + 1500 + 500)
    assert "(anchor accuracy 1830 m + 500 m)" in rows["壮志凌云·文创园"]["note"]


def test_an_anchored_place_moved_away_from_its_anchor_stays(fix_layers):
    first = Correction("重庆大学B区", 106.4600, 29.5650, "wgs84", "survey", 330.0)
    fix_positions([first], fix_layers, downstream=False)
    fix = Correction("重庆大学A区", 106.4660, 29.5670, "wgs84", "survey", 430.0)
    result = fix_positions([fix], fix_layers, downstream=False)
    assert [c.place for c in result.changes] == ["重庆大学A区"]
