"""A throw-away PostgreSQL + PostGIS cluster for the tests (initdb in a temp folder).

The server refuses to run as root, so under root the cluster belongs to the
``postgres`` user (``runuser``); it listens on a Unix socket only. When the server
cannot start, the tests fail under CI (``CI`` or ``GEO_TEST_STOCK_JUPYTER`` set) and
are skipped elsewhere with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "geo_admin"
PORT = 54329


def bindir() -> Path | None:
    """Return the newest PostgreSQL bin folder holding initdb, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[4])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def must_run() -> bool:
    """Say whether a server that cannot start is a failure (CI) rather than a skip."""
    return any(os.environ.get(v) for v in ("CI", "GEO_TEST_STOCK_JUPYTER", "GEO_TEST_POSTGIS"))


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield the admin DSN (database ``postgres``); stop and remove it."""
    bins = bindir()
    if bins is None:
        raise RuntimeError("initdb not found: install postgresql-15-postgis-3 (make test does)")
    top = Path(tempfile.mkdtemp(prefix="geo-pg-"))
    data, sock = top / "data", top / "sock"
    sock.mkdir()
    runner = _as_server_user()
    if runner:
        shutil.chown(top, "postgres")
        shutil.chown(sock, "postgres")
    run = lambda *a: subprocess.run(  # noqa: E731
        [*runner, *a], check=True, capture_output=True, text=True, cwd=top
    )
    try:
        run(
            str(bins / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        opts = f"-k {sock} -c listen_addresses='' -p {PORT} -c fsync=off"
        run(
            str(bins / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(top / "log"), "-w", "start"
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(top, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}") from exc
    try:
        yield f"host={sock} port={PORT} user={USER} dbname=postgres"
    finally:
        subprocess.run(
            [*runner, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
            cwd=top,
        )
        shutil.rmtree(top, ignore_errors=True)
