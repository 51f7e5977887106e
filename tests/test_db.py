"""The PostGIS store: init, push in one transaction, pull byte for byte."""

from __future__ import annotations

import filecmp
from functools import partial
from pathlib import Path

from conftest import geo_in_process
from geo import _data
from geo.db import store

LAYERS = Path(_data.layers_dir())
ROOT = Path(__file__).resolve().parents[1]


def _same_tree(a: Path, b: Path) -> list[str]:
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    return [f for f in files_a if not filecmp.cmp(a / f, b / f, shallow=False)]


def _pull(dsn: str, out: Path) -> None:
    for rel, data in store.read_folder(dsn).files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def test_push_then_pull_gives_the_folder_byte_for_byte(postgis_db, tmp_path):
    store.init(postgis_db)
    counts = store.push(postgis_db, LAYERS)
    assert counts["layer:projects"] == 43
    _pull(postgis_db, tmp_path)
    assert _same_tree(LAYERS, tmp_path) == []


def test_cli_init_push_pull_and_maps_from_the_database_are_identical(
    postgis_db, tmp_path, monkeypatch, capsys
):
    _geo = partial(geo_in_process, capsys)
    assert _geo("db", "init", "--db", postgis_db).returncode == 0
    pushed = _geo("db", "push", str(LAYERS), "--db", postgis_db)
    assert pushed.returncode == 0, pushed.stderr
    assert "layer tables" in pushed.stdout
    pulled = _geo("db", "pull", str(tmp_path / "pulled"), "--db", postgis_db)
    assert pulled.returncode == 0, pulled.stderr
    assert _same_tree(LAYERS, tmp_path / "pulled") == []
    maps = ["maps", "--figure", "fig2", "--offline", "--basemap", "none"]
    monkeypatch.setenv("GEO_LAYERS_DIR", str(LAYERS))
    folder = _geo(*maps, "--out", str(tmp_path / "a"))
    assert folder.returncode == 0, folder.stderr
    monkeypatch.delenv("GEO_LAYERS_DIR")
    db = _geo(*maps, "--out", str(tmp_path / "b"), "--db", postgis_db)
    assert db.returncode == 0, db.stderr
    assert _same_tree(tmp_path / "a", tmp_path / "b") == []


def test_a_row_edited_in_the_database_is_pulled_as_that_one_line(postgis_db, tmp_path):
    import psycopg

    store.init(postgis_db)
    store.push(postgis_db, LAYERS)
    with psycopg.connect(postgis_db) as conn:
        conn.execute(
            "UPDATE geo_layers.projects SET name_en = %s WHERE id = %s", ("Renamed", "proj-01")
        )
    result = store.read_folder(postgis_db)
    assert result.edited == ["projects.geojson"]
    old = (LAYERS / "projects.geojson").read_text(encoding="utf-8").splitlines()
    new = result.files["projects.geojson"].decode("utf-8").splitlines()
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    assert len(changed) == 1
    assert '"name_en": "Renamed"' in new[changed[0]]


def _readme_lines() -> list[list[str]]:
    import re
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### A shared PostGIS store", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block
    return [shlex.split(ln, comments=True) for ln in block.group(1).splitlines() if ln.strip()]


def test_the_readme_postgis_lines_run_as_written(postgis_db, tmp_path, monkeypatch):
    import shutil

    from geo.cli import main

    lines = _readme_lines()
    assert lines[0][0] == "export"
    assert lines[0][1].startswith("GEO_DB=postgresql://")
    assert [ln[:3] for ln in lines[1:]] == [
        [".venv/bin/geo", "db", "init"],
        [".venv/bin/geo", "db", "push"],
        [".venv/bin/geo", "maps", "--db"],
    ]
    shutil.copytree(LAYERS, tmp_path / "layers")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GEO_DB", postgis_db)  # the office server: here the throw-away one
    for line in lines[1:]:
        args = [postgis_db if a == "$GEO_DB" else a for a in line[1:]]
        assert main(args) == 0, line
    assert (tmp_path / "site" / "index.html").is_file()
    assert (
        store.read_folder(postgis_db).files["catalog.yaml"]
        == (LAYERS / "catalog.yaml").read_bytes()
    )


def test_push_writes_the_geopackage_qgis_styles_to_layer_styles(
    postgis_db, tmp_path, monkeypatch, capsys
):
    import sqlite3

    import psycopg

    assert geo_in_process(capsys, "db", "init", "--db", postgis_db).returncode == 0
    assert geo_in_process(capsys, "db", "push", str(LAYERS), "--db", postgis_db).returncode == 0
    gpkg = tmp_path / "x.gpkg"
    monkeypatch.setenv("GEO_LAYERS_DIR", str(LAYERS))
    exported = geo_in_process(capsys, "export", "--gpkg", str(gpkg))
    assert exported.returncode == 0, exported.stderr
    with sqlite3.connect(gpkg) as lite:
        want = {
            name: (qml, sld)
            for name, qml, sld in lite.execute(
                "SELECT f_table_name, styleQML, styleSLD FROM layer_styles"
            )
        }
    with psycopg.connect(postgis_db) as conn:
        rows = conn.execute(
            "SELECT f_table_schema, f_table_name, f_geometry_column, useasdefault, "
            "xmlserialize(document styleqml as text), xmlserialize(document stylesld as text) "
            "FROM public.layer_styles ORDER BY id"
        ).fetchall()
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'geo_layers'"
            )
        }
    assert {r[1] for r in rows} == tables
    for schema, table, column, default, qml, sld in rows:
        assert (schema, column, default) == ("geo_layers", "geom", True)
        assert (qml, sld) == want[table], table
