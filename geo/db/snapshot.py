"""The folder a database is read through: a pulled copy in the cache, kept current.

``geo.Project("postgresql://…")`` and every command given ``--db`` read the
project from this copy, so a map built from the database is the map built from the
same folder, byte for byte. The copy lives under the cache folder
(``$GEO_CACHE_DIR`` …, :func:`geo.data.derived_cache.cache_root`), one per
database (named by a digest of the DSN without its password); each open pulls
again in one read-only transaction and rewrites only the files that changed. The
versions of the rows read are returned with it, for :mod:`geo.db.edits`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from geo.db.connection import env_dsn, is_dsn, redact

if TYPE_CHECKING:
    from geo.db.store import PullResult

__all__ = ["open_store", "snapshot", "write_folder"]


def _home(dsn: str) -> Path:
    from geo.data.derived_cache import cache_root
    from geo.db.codec import digest

    root = cache_root() or Path(tempfile.gettempdir()) / "shapingba-geo"
    return root / "db" / digest(redact(dsn))[:16]


def write_folder(result: PullResult, folder: str | Path) -> list[str]:
    """Write a pulled project into ``folder``; only files whose bytes differ are written.

    Parameters
    ----------
    result
        What :func:`geo.db.store.read_folder` read.
    folder
        The folder (created when missing).

    Returns
    -------
    list of str
        The files written, by path in the folder.
    """
    from geo._io import atomic_write_bytes

    folder = Path(folder)
    written = []
    for rel, data in sorted(result.files.items()):
        path = folder / rel
        if not path.is_file() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
            written.append(rel)
    return written


def snapshot(dsn: str) -> tuple[Path, dict[str, dict[str, int]]]:
    """Pull the database into its cache folder; return the folder and the row versions.

    Parameters
    ----------
    dsn
        The database.

    Returns
    -------
    tuple of (Path, dict)
        The folder (holding ``catalog.yaml``) and ``table -> key -> version`` of the
        rows read (see :class:`geo.db.store.PullResult`).
    """
    from geo._io import write_lock
    from geo.db.store import read_folder

    home = _home(dsn)
    folder = home / "layers"
    folder.mkdir(parents=True, exist_ok=True)
    result = read_folder(dsn, "geo read")
    with write_lock(home):
        write_folder(result, folder)
        for path in sorted(folder.rglob("*"), reverse=True):  # files no longer in the store
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and rel not in result.files and not rel.startswith("."):
                path.unlink()
    return folder, result.versions


def open_store(
    where: str | Path | None,
) -> tuple[str | None, Path | None, dict[str, dict[str, int]]]:
    """Resolve what a project opens: a DSN (or ``$GEO_DB`` for ``None``) is pulled.

    Parameters
    ----------
    where
        A folder, a DSN, or ``None``.

    Returns
    -------
    tuple of (str or None, Path or None, dict)
        The DSN, the folder it was pulled into and the row versions; for a folder,
        ``(None, None, {})``.
    """
    dsn = env_dsn() if where is None else (where if isinstance(where, str) else None)
    if dsn is None or not is_dsn(dsn):
        return None, None, {}
    folder, versions = snapshot(dsn)
    return dsn, folder, versions
