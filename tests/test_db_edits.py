"""Editing a PostGIS store together: every edit one transaction, a stale one refused."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from geo import _data
from geo.db import store

LAYERS = Path(_data.layers_dir())
ROOT = Path(__file__).resolve().parents[1]
PLACE = "重庆大学A区"
EDITORS = 8


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


def _run_all(target, args_of) -> dict[int, str]:
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(EDITORS), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_of(k), barrier, out)) for k in range(EDITORS)]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    return results


def test_eight_editors_on_one_row_one_wins_the_others_are_told(postgis_db):
    _pushed(postgis_db)
    results = _run_all(_set_place, lambda k: (postgis_db, k))
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


def test_eight_editors_adding_different_layers_all_land(postgis_db, tmp_path):
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
    results = _run_all(_add_layer, lambda k: (postgis_db, k, str(src)))
    assert set(results.values()) == {"ok"}, results
    pulled = store.read_folder(postgis_db)
    for k in range(EDITORS):
        assert f"survey_{k}.geojson" in pulled.files
        assert f"id: survey_{k}" in pulled.files["catalog.yaml"].decode("utf-8")
