"""The PostGIS store is safe by construction: names and values never become SQL,
the DSN password is never shown, and each failure is one line naming the fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import geo_in_process
from geo import _data
from geo.db import store

LAYERS = Path(_data.layers_dir())
ROOT = Path(__file__).resolve().parents[1]
EVIL_ID = "evil'; DROP TABLE geo_layers.projects; --"
EVIL_KEY = "name'); DROP TABLE geo.catalog; --"
EVIL_VALUE = "'; DROP TABLE geo.files; -- \\ \" \\'"
SECRET = "Sup3r'Secret"


def _geo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "geo", *args], capture_output=True, text=True, env=env, check=False
    )


def _evil_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "layers"
    shutil.copytree(LAYERS, folder)
    props = {
        "id": "e-1",
        "name_zh": EVIL_VALUE,
        "name_en": 'quote " and backslash \\ and \\\\',
        EVIL_KEY: EVIL_VALUE,
        'col"quote': "x",
        "back\\slash": 1,
    }
    feature = {"type": "Feature", "properties": props, "geometry": None}
    lines = [
        '{"type": "FeatureCollection", "name": "evil", "features": [',
        json.dumps(feature, ensure_ascii=False),
        "]}",
    ]
    (folder / "evil.geojson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (folder / "catalog.yaml").open("a", encoding="utf-8") as f:
        f.write(f"  - id: {json.dumps(EVIL_ID)}\n    title_zh: 坏\n    title_en: Evil\n")
        f.write("    geometry_type: Point\n    file: evil.geojson\n    crs: wgs84\n")
    return folder


def test_hostile_names_and_values_change_nothing_but_their_own_rows(postgis_db, tmp_path):
    import psycopg
    from psycopg import sql

    folder = _evil_folder(tmp_path)
    store.init(postgis_db)
    counts = store.push(postgis_db, folder)
    assert counts[f"layer:{EVIL_ID}"] == 1
    assert counts["layer:projects"] == 43
    with psycopg.connect(postgis_db) as conn:
        row = conn.execute(
            sql.SQL("SELECT {}, {}, {}, name_en FROM {}").format(
                sql.Identifier(EVIL_KEY),
                sql.Identifier('col"quote'),
                sql.Identifier("back\\slash"),
                sql.Identifier("geo_layers", EVIL_ID),
            )
        ).fetchone()
        assert row == (EVIL_VALUE, "x", 1, 'quote " and backslash \\ and \\\\')
        assert conn.execute("SELECT count(*) FROM geo_layers.projects").fetchone() == (43,)
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'geo'"
        ).fetchone()
        assert tables == (4,)  # files, catalog, gazetteer, claims
    pulled = store.read_folder(postgis_db)
    assert pulled.edited == []
    for rel, data in pulled.files.items():
        assert (folder / rel).read_bytes() == data, rel


def test_a_hostile_value_edited_in_the_database_is_pulled_as_written(postgis_db, tmp_path):
    import psycopg
    from psycopg import sql

    folder = _evil_folder(tmp_path)
    store.init(postgis_db)
    store.push(postgis_db, folder)
    with psycopg.connect(postgis_db) as conn:
        conn.execute(
            sql.SQL("UPDATE {} SET {} = %s").format(
                sql.Identifier("geo_layers", EVIL_ID), sql.Identifier(EVIL_KEY)
            ),
            (EVIL_VALUE + "2",),
        )
    text = store.read_folder(postgis_db).files["evil.geojson"].decode("utf-8")
    props = json.loads(text)["features"][0]["properties"]
    assert props[EVIL_KEY] == EVIL_VALUE + "2"
    assert props["name_zh"] == EVIL_VALUE


def test_an_unreachable_server_is_one_line_without_the_password():
    dsn = f"postgresql://gis:{SECRET.replace(chr(39), '')}@127.0.0.1:1/shapingba"
    result = _geo("layers", "--db", dsn)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "cannot be reached" in lines[0]
    assert "fix: start the server" in lines[0]
    assert "postgresql://gis:***@127.0.0.1:1/shapingba" in lines[0]
    assert "Sup3rSecret" not in result.stderr + result.stdout


def test_the_password_never_appears_in_output(postgis_db, tmp_path, capsys):
    dsn = f"{postgis_db} password='{SECRET.replace(chr(39), chr(92) + chr(39))}'"
    outputs = [
        geo_in_process(capsys, "db", "init", "--db", dsn),
        _geo("db", "push", str(LAYERS), "--db", dsn),  # a real process: all it writes
        geo_in_process(capsys, "layers", "--db", dsn),
        geo_in_process(capsys, "db", "pull", str(tmp_path / "out"), "--db", dsn),
        geo_in_process(capsys, "area", "no_such_layer", "--db", dsn),
    ]
    assert [r.returncode for r in outputs] == [0, 0, 0, 0, 2]
    assert "password=***" in outputs[1].stdout
    for r in outputs:
        assert "Sup3r" not in r.stdout + r.stderr
    from geo.project import Project

    shown = repr(Project(dsn)) + Project(dsn)._repr_html_()
    assert "Sup3r" not in shown
    assert "password=***" in shown


def test_a_database_without_the_schema_says_run_init(postgis_db, capsys):
    result = geo_in_process(capsys, "db", "push", str(LAYERS), "--db", postgis_db)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "holds no project schema; fix: run `geo db init --db DSN`" in result.stderr


def test_a_role_without_rights_is_told_what_to_grant(postgis_db, postgis_server, capsys):
    import psycopg

    store.init(postgis_db)
    with psycopg.connect(postgis_server, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS reader")
        conn.execute("CREATE ROLE reader LOGIN")
    reader = postgis_db.replace("user=geo_admin", "user=reader")
    result = geo_in_process(capsys, "db", "push", str(LAYERS), "--db", reader)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "push refused: permission denied" in result.stderr
    assert "fix: ask the database owner to GRANT the role" in result.stderr


def test_a_server_without_postgis_names_the_package():
    import psycopg.errors

    from geo.db.connection import db_error
    from geo.errors import PostGISMissingError

    cause = psycopg.errors.UndefinedFile(
        'could not open extension control file "/usr/share/postgresql/15/extension/'
        'postgis.control": No such file or directory'
    )
    error = db_error(cause, "postgresql://gis:pw@db/x", "init")
    assert isinstance(error, PostGISMissingError)
    assert "apt-get install postgresql-15-postgis-3" in str(error)
    assert "pw@" not in str(error)


def test_geo_help_does_not_import_the_database_drivers():
    code = (
        "import sys, contextlib, io\n"
        "from geo.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "print(sorted(m for m in ('psycopg', 'sqlalchemy', 'geoalchemy2') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "[]", out.stderr
