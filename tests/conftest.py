"""Shared fixtures: small real-looking layers written to a temporary folder."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# A real place: the main gate area of Chongqing University campus A (沙正街), WGS-84.
CQU_A = (106.4662, 29.5665)


def feature(fid: str, geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    """Return a GeoJSON feature carrying every required property (overridable)."""
    base = {
        "id": fid,
        "name_zh": "测试点",
        "name_en": "Test point",
        "kind": "test",
        "plan_ref": "002_8a077782b689f185.txt:L3",
        "geometry_source": "digitized",
        "accuracy_m": 100,
    }
    base.update(props)
    base = {k: v for k, v in base.items() if v is not None or k == "place"}
    return {"type": "Feature", "properties": base, "geometry": geometry}


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def square(x: float, y: float, d: float = 0.01) -> dict[str, Any]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def write_fc(tmp_path: Path):
    """Write a FeatureCollection (or raw text/bytes) to a file and return its path."""

    def _write(content: Any, name: str = "layer.geojson", **extra: Any) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            doc = {"type": "FeatureCollection", "features": content, **extra}
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return path

    return _write


GIS_FIXTURE = Path(__file__).parent / "data" / "gis"

#: A progress line on standard error when it is not a terminal (``geo.console.Progress``).
PROGRESS_LINE = re.compile(r"^geo [\w -]+: [\d,]+/[\d,]+ ")


def geo_in_process(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> subprocess.CompletedProcess[str]:
    """Run ``geo ARGV`` through ``geo.cli.main`` in this process, as a finished process.

    Standard output and error are what the command wrote (captured by ``capsys``); an
    argparse exit becomes its status. For tests of what a command says and does, not
    of the process itself (start-up, locale, signals), which run ``python -m geo``.
    """
    from geo.cli import main

    capsys.readouterr()
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse
        status = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["geo", *argv], status, out, err)


def message_lines(err: str) -> list[str]:
    """Return the lines of standard error that are messages, progress lines left out."""
    return [line for line in err.strip().splitlines() if not PROGRESS_LINE.match(line)]


#: Test files whose every test is of one kind that ``make test-fast`` leaves out.
_KIND_OF_FILE = {"test_notebooks_public.py": "notebook", "test_packaging.py": "packaging"}


#: Modules that take longest (every figure rendered or printed, the corrupt-file
#: matrix, the exports), run first: ``make test-fast`` hands modules to its workers in
#: this order (``--no-loadscope-reorder``), so no worker ends the run alone with one of
#: them. ``make test`` runs the PyQGIS and PostGIS modules first as well.
LONGEST_FIRST = (
    *("test_qgis_project.py", "test_db_edits.py", "test_db.py", "test_corrupt_matrix.py"),
    *("test_db_qgis.py", "test_print.py", "test_maps.py", "test_exchange.py"),
    *("test_claims.py", "test_derived_cache.py", "test_palette.py"),
)


#: Fixtures that start an outside program, by the mark their tests get: a PostgreSQL
#: server, or Debian's PyQGIS exporting and opening a QGIS project.
_KIND_OF_FIXTURE = {"postgis_server": "postgis", "qgis_export": "qgis", "qgis_opened": "qgis"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of a ``*_browser.py`` file ``browser``, and the notebook and wheel files.

    A test using a PostGIS server is marked ``postgis``; one using the QGIS project's
    export (``qgis_export``, ``qgis_opened``), ``qgis``. The modules of
    ``LONGEST_FIRST`` are moved to the front, in that order.
    """
    for item in items:
        name = item.path.name
        kind = "browser" if name.endswith("_browser.py") else _KIND_OF_FILE.get(name)
        if kind:
            item.add_marker(getattr(pytest.mark, kind))
        names = getattr(item, "fixturenames", ())
        for fixture, mark in _KIND_OF_FIXTURE.items():
            if fixture in names:
                item.add_marker(getattr(pytest.mark, mark))
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def _data_dir_copy(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy a fixture layers folder and make the copy the toolkit's data directory."""
    d = tmp_path / "layers"
    shutil.copytree(source, d)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(d))
    return d


@pytest.fixture
def gis_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the GIS fixture layers folder, made the toolkit's data directory."""
    return _data_dir_copy(GIS_FIXTURE / "layers", tmp_path, monkeypatch)


FIX_FIXTURE = Path(__file__).parent / "data" / "gazetteer_fix"


@pytest.fixture
def fix_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the position-fix fixture layers folder, made the data directory."""
    return _data_dir_copy(FIX_FIXTURE / "layers", tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, one per test module.

    A missing browser skips the module's browser tests with a loud reason, except in
    CI (``CI`` set), where it fails the run.
    """
    from geo.maps.browser import CHROMIUM, launch

    if not Path(CHROMIUM).exists():
        msg = f"BROWSER TESTS NOT RUN: {CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg + " -- required in CI", pytrace=False)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


def _checked_fd(fd: Any) -> None:
    """Check ``fd`` as ``os.fsync`` does (a closed one raises), without waiting for the disk."""
    os.fstat(fd if isinstance(fd, int) else fd.fileno())


@pytest.fixture(scope="session", autouse=True)
def _no_disk_flush() -> Iterator[None]:
    """Let ``os.fsync`` return at once in the test process (as ``eatmydata`` would).

    What the tests check of a write (renamed into place whole, never half written, the
    old file kept on failure) does not depend on the disk being flushed, which costs
    milliseconds per file; a test of a failing flush patches ``os.fsync`` itself, and
    the commands run as processes flush as they always do.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "fsync", _checked_fd)
        yield


@pytest.fixture(scope="session", autouse=True)
def _run_layer_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Cache what module-wide fixtures derive in this run's folder, never the user's.

    A module's fixtures are set up before any test's own cache is chosen: without this
    they would read and fill ``~/.cache/shapingba-geo``.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_CACHE_DIR", str(tmp_path_factory.mktemp("geo-cache-run")))
        yield


@pytest.fixture(scope="session")
def _layer_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder to hold the tests' layer caches, each a sub-folder made on first write."""
    return iter(tmp_path_factory.mktemp("geo-cache") / str(n) for n in itertools.count())


@pytest.fixture(autouse=True)
def _own_layer_cache(_layer_caches: Iterator[Path], monkeypatch: pytest.MonkeyPatch):
    """Keep each test's derived layers in a cache of its own, never the user's.

    The folder is not made beforehand (the cache makes it when it first writes), so a
    test that derives nothing costs no folder.
    """
    monkeypatch.setenv("GEO_CACHE_DIR", str(next(_layer_caches)))


@pytest.fixture(scope="session")
def postgis_server():
    """Admin DSN of a throw-away PostgreSQL + PostGIS cluster (failing, not skipping, in CI)."""
    from postgis_server import cluster, must_run

    try:
        manager = cluster()
        dsn = manager.__enter__()
    except RuntimeError as exc:
        if must_run():
            pytest.fail(f"the PostGIS tests need a server: {exc}")
        pytest.skip(str(exc))
    yield dsn
    manager.__exit__(None, None, None)


@pytest.fixture
def postgis_db(postgis_server: str, request: pytest.FixtureRequest) -> str:
    """DSN of a fresh, empty database on the throw-away cluster."""
    import re
    import uuid

    import psycopg

    name = "t_" + re.sub(r"\W", "_", request.node.name)[:40].lower() + uuid.uuid4().hex[:6]
    with psycopg.connect(postgis_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgis_server.replace("dbname=postgres", f"dbname={name}")
