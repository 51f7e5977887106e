"""Editing a PostGIS store together: every edit one transaction, a stale one refused."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from conftest import geo_in_process
from geo import _data
from geo.db import store

LAYERS = Path(_data.layers_dir())
ROOT = Path(__file__).resolve().parents[1]
PLACE = "重庆大学A区"
EDITORS = 8
#: How many editors race: a few in ``make test-fast``, all eight (slow: each is a
#: process importing the toolkit) in ``make test``.
CROWDS = [3, pytest.param(EDITORS, marks=pytest.mark.slow)]


def _pushed(dsn: str) -> None:
    store.init(dsn)
    store.push(dsn, LAYERS)


def _set_place(dsn: str, k: int, barrier, out) -> None:  # a process: read, wait, write
    from geo.gis.correction.changes import position_correction
    from geo.gis.stored import fix_positions_in_store
    from geo.project import Project

    try:
        project = Project(dsn)
        fix = position_correction(
            project.gazetteer, PLACE, 106.4640 + k * 1e-4, 29.5660, "wgs84", f"survey {k}"
        )
        barrier.wait(timeout=60)
        fix_positions_in_store(project, [fix], f"editor {k}")
        out.put((k, "ok"))
    except Exception as exc:
        out.put((k, f"{type(exc).__name__}: {exc}"))


def _add_layer(dsn: str, k: int, src: str, barrier, out) -> None:
    from geo.gis.stored import add_layer_to_store
    from geo.project import Project

    try:
        project = Project(dsn)
        barrier.wait(timeout=60)
        add_layer_to_store(
            project, src, f"survey_{k}", title_zh=f"调查{k}", title_en=f"Survey {k}", crs="wgs84"
        )
        out.put((k, "ok"))
    except Exception as exc:
        out.put((k, f"{type(exc).__name__}: {exc}"))


def _run_all(target, args_of, editors: int) -> dict[int, str]:
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(editors), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_of(k), barrier, out)) for k in range(editors)]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    return results


@pytest.mark.parametrize("editors", CROWDS)
def test_editors_on_one_row_one_wins_the_others_are_told(postgis_db, editors):
    _pushed(postgis_db)
    results = _run_all(_set_place, lambda k: (postgis_db, k), editors)
    assert sorted(results) == list(range(editors))
    winners = [k for k, r in results.items() if r == "ok"]
    assert len(winners) == 1, results
    for k, r in results.items():
        if k != winners[0]:
            assert r.startswith(
                "EditConflictError: gazetteer row 重庆大学A区: changed by another edit"
            )
            assert f"editor {winners[0]}" in r
            assert "nothing was written; fix: run the command again" in r
    rows = store.read_folder(postgis_db).files["gazetteer.csv"].decode("utf-8")
    row = next(line for line in rows.splitlines() if line.startswith(PLACE + ","))
    assert f"survey {winners[0]}" in row
    assert f"{106.4640 + winners[0] * 1e-4:.6f}" in row


@pytest.mark.parametrize("editors", CROWDS)
def test_editors_adding_different_layers_all_land(postgis_db, tmp_path, editors):
    _pushed(postgis_db)
    src = tmp_path / "pts.geojson"
    feature = {
        "type": "Feature",
        "properties": {
            "name_zh": "测试",
            "name_en": "Test",
            "kind": "site",
            "plan_ref": "survey 2026",
            "geometry_source": "digitized",
            "accuracy_m": 50,
        },
        "geometry": {"type": "Point", "coordinates": [106.46, 29.57]},
    }
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    results = _run_all(_add_layer, lambda k: (postgis_db, k, str(src)), editors)
    assert sorted(results) == list(range(editors))
    assert set(results.values()) == {"ok"}, results
    pulled = store.read_folder(postgis_db)
    catalog = pulled.files["catalog.yaml"].decode("utf-8")
    original = (LAYERS / "catalog.yaml").read_text(encoding="utf-8")
    assert catalog.startswith(original)  # comments kept; the new entries appended
    for k in range(editors):
        assert f"survey_{k}.geojson" in pulled.files
        assert f"- id: survey_{k}\n" in catalog[len(original) :]
    import psycopg

    with psycopg.connect(postgis_db) as conn:
        styled = conn.execute(
            "SELECT f_table_name FROM public.layer_styles WHERE f_table_name LIKE 'survey%%'"
        ).fetchall()
    assert sorted(r[0] for r in styled) == [f"survey_{k}" for k in range(editors)]


def _big_folder(tmp_path: Path, n: int = 60000) -> Path:
    import shutil

    folder = tmp_path / "big"
    shutil.copytree(LAYERS, folder)
    feats = [
        json.dumps(
            {
                "type": "Feature",
                "properties": {"id": f"b-{i}", "name_zh": "点", "accuracy_m": 10.0},
                "geometry": {"type": "Point", "coordinates": [106.4 + i * 1e-6, 29.5]},
            }
        )
        for i in range(n)
    ]
    text = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(feats) + "\n]}\n"
    (folder / "big.geojson").write_text(text, encoding="utf-8")
    with (folder / "catalog.yaml").open("a", encoding="utf-8") as f:
        f.write("  - id: big\n    file: big.geojson\n    crs: wgs84\n")
    return folder


def test_a_push_killed_midway_leaves_the_database_as_it_was(postgis_db, tmp_path):
    import psycopg

    _pushed(postgis_db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    push = subprocess.Popen(
        [sys.executable, "-m", "geo", "db", "push", str(_big_folder(tmp_path)), "--db", postgis_db],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watch = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'geo db push'"
    inserting = watch + " AND query LIKE 'COPY geo_layers.big %'"
    with psycopg.connect(postgis_db, autocommit=True) as conn:
        deadline = time.monotonic() + 120
        while conn.execute(inserting).fetchone() == (0,):  # the big layer is being written
            assert push.poll() is None, "the push ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(push.pid, signal.SIGKILL)
        push.wait()
        while conn.execute(watch).fetchone() != (0,):  # the server rolls the push back
            assert time.monotonic() < deadline
            time.sleep(0.1)
        big = conn.execute("SELECT to_regclass('geo_layers.big')").fetchone()
    assert push.returncode == -signal.SIGKILL
    assert big == (None,)
    pulled = store.read_folder(postgis_db)
    assert pulled.edited == []
    assert sorted(pulled.files) == sorted(
        p.relative_to(LAYERS).as_posix() for p in LAYERS.rglob("*") if p.is_file()
    )
    for rel, data in pulled.files.items():
        assert (LAYERS / rel).read_bytes() == data, rel


def test_claims_link_and_gazetteer_set_with_db_write_the_database(postgis_db, tmp_path, capsys):
    import csv
    import io
    import shutil

    folder = tmp_path / "layers"
    shutil.copytree(LAYERS, folder)
    text = (folder / "claims.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    linked = next(r for r in rows[1:] if r[1])  # a claim that names a feature
    blank = text.replace(",".join(linked), ",".join([linked[0], "", *linked[2:]]), 1)
    assert blank != text
    (folder / "claims.csv").write_text(blank, encoding="utf-8")
    store.init(postgis_db)
    store.push(postgis_db, folder)
    _geo = partial(geo_in_process, capsys)
    link = _geo("claims", "--link", "--db", postgis_db)
    assert link.returncode == 0, link.stderr
    moved = _geo(
        "gazetteer",
        "set",
        PLACE,
        "--lon",
        "106.4650",
        "--lat",
        "29.5670",
        "--crs",
        "wgs84",
        "--source",
        "office survey",
        "--db",
        postgis_db,
    )
    assert moved.returncode == 0, moved.stderr
    assert "4 gazetteer row(s) changed in the database" in moved.stdout  # 3 anchored follow
    pulled = store.read_folder(postgis_db)
    assert sorted(pulled.edited) == ["claims.csv", "gazetteer.csv"]
    assert pulled.files["claims.csv"] == (LAYERS / "claims.csv").read_bytes()
    gaz = pulled.files["gazetteer.csv"].decode("utf-8")
    row = next(line for line in gaz.splitlines() if line.startswith(PLACE + ","))
    assert "106.465000,29.567000" in row
    assert "office survey" in row
    assert (folder / "gazetteer.csv").read_bytes() == (LAYERS / "gazetteer.csv").read_bytes()


def test_an_edit_made_in_qgis_raises_the_version_and_stops_a_stale_edit(postgis_db):
    import psycopg

    from geo.errors import EditConflictError
    from geo.gis.correction.changes import position_correction
    from geo.gis.stored import fix_positions_in_store
    from geo.project import Project

    _pushed(postgis_db)
    project = Project(postgis_db)  # reads version 1
    with psycopg.connect(postgis_db, application_name="QGIS") as conn:  # a desktop edit
        conn.execute("UPDATE geo.gazetteer SET note = 'moved in QGIS' WHERE name_zh = %s", (PLACE,))
    fix = position_correction(project.gazetteer, PLACE, 106.465, 29.567, "wgs84", "late")
    with pytest.raises(
        EditConflictError, match=r"changed by another edit \(QGIS at .*, now version 2\)"
    ):
        fix_positions_in_store(project, [fix], "geo gazetteer set")
    gaz = store.read_folder(postgis_db).files["gazetteer.csv"].decode("utf-8")
    row = next(line for line in gaz.splitlines() if line.startswith(PLACE + ","))
    assert "moved in QGIS" in row
    assert "late" not in row


def test_two_editors_adding_one_layer_id_the_second_is_told(postgis_db, tmp_path):
    from geo.errors import EditConflictError
    from geo.gis.stored import add_layer_to_store
    from geo.project import Project

    _pushed(postgis_db)
    src = tmp_path / "pts.geojson"
    props = {"name_zh": "测试", "name_en": "Test", "kind": "site", "plan_ref": "survey 2026"}
    props |= {"geometry_source": "digitized", "accuracy_m": 50}
    feature = {"type": "Feature", "properties": props, "geometry": None}
    feature["geometry"] = {"type": "Point", "coordinates": [106.46, 29.57]}
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    first, second = Project(postgis_db), Project(postgis_db)  # both read the catalog
    options = {"title_zh": "调查", "title_en": "Survey", "crs": "wgs84"}
    add_layer_to_store(first, src, "survey", **options)
    with pytest.raises(EditConflictError, match=r"catalog row survey: the layer exists already "):
        add_layer_to_store(second, src, "survey", **options)
    catalog = store.read_folder(postgis_db).files["catalog.yaml"].decode("utf-8")
    assert catalog.count("- id: survey\n") == 1
