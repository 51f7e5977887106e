"""Writing files safely: the atomic writer, the folder lock, backups and the commit journal.

Every file the toolkit writes goes through this module:

* :func:`atomic_write_text` / :func:`atomic_write_bytes` write a temporary file beside
  the target, sync it to disk and rename it into place, so a file is never seen
  half-written; an existing target keeps its permissions.
* :func:`write_lock` serialises writers of one folder (the layers folder): a second
  writer waits, up to a bounded time, then fails naming the lock file. On entering
  it, an interrupted commit is finished and stale temporary files are removed.
* :func:`commit_files` replaces several files together through a journal: if the
  process is killed half-way, the next run finishes (or undoes) the commit.
* :func:`backup_copies` keeps previous versions under names that never collide.

No write lands on the data: a target that resolves inside the data folders in use,
or onto a file the running command reads, is refused (:func:`geo._data.check_writable`)
unless the code changing the data granted itself that target with
:func:`data_writes`. A commit journal is checked against the same rule before any
file is moved (see :func:`commit_files`).

This is the only module that renames files into place (``os.replace``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from geo._data import (
    check_packaged,
    check_writable,
    data_writes,
    layers_dir,
    notebooks_dir,
    sources_dir,
)
from geo._journal import JOURNAL_NAME, LOCK_NAME, Move, journal_text, read_journal
from geo.errors import (
    FolderExistsError,
    InterruptedWriteWarning,
    MissingDependencyError,
    TargetIsFolderError,
    WriteLockTimeoutError,
)

if TYPE_CHECKING:
    from filelock import BaseFileLock

__all__ = [
    "DEFAULT_LOCK_TIMEOUT_S",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "backup_copies",
    "commit_files",
    "copy_data",
    "settle",
    "stage_bytes",
    "stage_text",
    "write_if_changed",
    "write_lock",
]

#: Seconds a writer waits for the lock; ``$GEO_LOCK_TIMEOUT`` overrides it.
DEFAULT_LOCK_TIMEOUT_S = 60.0
#: Temporary files: hidden, ``.tmp`` suffix (ignored by git).
_TEMP_GLOBS = (".*.tmp", ".*.tmp.*", "*/.*.tmp")

_held: dict[Path, int] = {}  # lock file -> nesting depth, in this process
_held_guard = threading.Lock()


# --------------------------------------------------------------------------- atomic writes
def _replace(src: Path, dst: Path) -> None:
    """Rename ``src`` over ``dst`` atomically (the toolkit's one call of ``os.replace``)."""
    # one named function, so every rename of the toolkit is in one place
    os.replace(src, dst)  # noqa: PTH105


def _sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _check_target(path: Path) -> None:
    check_writable(path)
    if path.is_dir():
        raise TargetIsFolderError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))


def _name(exc: OSError, path: Path) -> None:
    """Make ``exc`` name ``path`` when it names no file (or a temporary one)."""
    if exc.errno is None or (exc.filename and not str(exc.filename).endswith(".tmp")):
        return
    exc.strerror = exc.strerror or os.strerror(exc.errno)
    exc.filename, exc.filename2 = str(path), None


def _stage_bytes(path: Path, data: bytes, suffix: str = ".tmp") -> Path:
    """Write ``data`` to a synced temporary file beside ``path``; return its path."""
    _check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=suffix, dir=path.parent)
    except OSError as exc:  # name the folder, not a random temporary name
        _name(exc, path.parent)
        raise exc from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode of the file it replaces
        tmp.chmod(path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode())
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            _name(exc, path)
            raise exc from None
        raise
    return tmp


def stage_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a synced temporary file beside ``path`` (see :func:`stage_text`).

    Parameters
    ----------
    path
        The file the temporary file will later replace.
    data
        Content.

    Returns
    -------
    Path
        The temporary file.
    """
    return _stage_bytes(Path(path), data)


def stage_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, Unix line ends) to a synced temporary file beside ``path``.

    Parameters
    ----------
    path
        The file the temporary file will later replace.
    text
        Content.

    Returns
    -------
    Path
        The temporary file (hidden, ``.tmp`` suffix, same folder as ``path``).
    """
    return _stage_bytes(Path(path), text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes to ``path`` atomically: temporary file beside it, sync, rename.

    Parameters
    ----------
    path
        Destination; its folder is created if needed. An existing file keeps its
        permissions; on failure it is left as it was and the temporary file removed.
    data
        Content.

    Returns
    -------
    Path
        The destination.
    """
    path = Path(path)
    tmp = _stage_bytes(path, data)
    try:
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write text to ``path`` atomically (UTF-8, Unix line ends).

    Parameters
    ----------
    path
        Destination (see :func:`atomic_write_bytes`).
    text
        Content.

    Returns
    -------
    Path
        The destination.
    """
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_if_changed(path: str | Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically unless it holds exactly that.

    Parameters
    ----------
    path
        The file.
    text
        Its content (UTF-8).

    Returns
    -------
    bool
        Whether the file was written.
    """
    data = text.encode("utf-8")
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write_bytes(path, data)
    return True


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Give a temporary path beside ``path`` for a library that writes files itself.

    On leaving the block without an error the file is synced and renamed onto
    ``path``; on an error it is removed and ``path`` is left as it was.

    Parameters
    ----------
    path
        Destination.

    Yields
    ------
    Path
        A path in the destination folder that does not exist yet.
    """
    path = Path(path)
    # GDAL goes by the extension, so it is kept: ".name.XXXX.tmp.gpkg"
    tmp = _stage_bytes(path, b"", suffix=f".tmp{path.suffix}")
    tmp.unlink()  # such writers create the file themselves
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.chmod(path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode())
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


# --------------------------------------------------------------------------- lock
def lock_timeout() -> float:
    """Return the seconds a writer waits for the lock (``$GEO_LOCK_TIMEOUT`` or 60)."""
    raw = os.environ.get("GEO_LOCK_TIMEOUT", "")
    try:
        return max(0.0, float(raw)) if raw.strip() else DEFAULT_LOCK_TIMEOUT_S
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT_S


def _acquire(lock_path: Path, folder: Path, timeout: float) -> BaseFileLock:
    """Take the lock file's lock (``filelock``, imported here) or fail naming it."""
    try:
        from filelock import FileLock, Timeout
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MissingDependencyError(
            "writing needs the 'filelock' package: pip install filelock"
        ) from exc
    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise WriteLockTimeoutError(
            f"{lock_path}: another geo command has been writing to {folder} for over "
            f"{timeout:g} s; let it finish and run again (set GEO_LOCK_TIMEOUT to wait longer)"
        ) from None
    return lock


@contextlib.contextmanager
def write_lock(folder: str | Path, timeout: float | None = None) -> Iterator[Path]:
    """Hold the write lock of ``folder`` for the duration of the block.

    Every command that writes into the layers folder takes this lock, so two
    writers never interleave. A second writer waits up to ``timeout`` seconds and
    then fails. The lock is re-entrant within a process. On first entering it, an
    interrupted commit left in ``folder`` is finished (or undone) and stale
    temporary files are removed (see :func:`settle`).

    Parameters
    ----------
    folder
        The folder written to (the lock file is ``folder/.geo.lock``).
    timeout
        Seconds to wait; default :func:`lock_timeout`.

    Yields
    ------
    Path
        The lock file.

    Raises
    ------
    WriteLockTimeoutError
        If another process holds the lock for longer than ``timeout``.
    """
    folder = Path(folder)
    check_packaged(folder)
    lock_path = folder.resolve() / LOCK_NAME
    with _held_guard:
        depth = _held.get(lock_path, 0)
        _held[lock_path] = depth + 1
    try:
        if depth:  # already held by this process: flock would wait on itself
            yield lock_path
            return
        folder.mkdir(parents=True, exist_ok=True)
        lock = _acquire(lock_path, folder, lock_timeout() if timeout is None else timeout)
        try:
            _report(_settle_locked(folder))
            yield lock_path
        finally:
            lock.release()
    finally:
        with _held_guard:
            _held[lock_path] -= 1
            if not _held[lock_path]:
                del _held[lock_path]


# --------------------------------------------------------------------------- backups
def _stamp() -> str:
    ns = time.time_ns()
    t = dt.datetime.fromtimestamp(ns // 1_000_000_000, dt.UTC)
    return f"{t:%Y%m%dT%H%M%S}.{ns % 1_000_000_000:09d}Z"


def backup_copies(sources: Sequence[Path], folder: Path, stamp: str | None = None) -> list[Path]:
    """Copy files into ``folder`` under names that never overwrite an existing file.

    Each copy is ``<stem>.<UTC time to the nanosecond>[-n]<suffix>``; the copies
    of one call share the time, and ``-n`` is added until no name is taken.

    Parameters
    ----------
    sources
        Files to keep.
    folder
        Backup folder (created if needed).
    stamp
        Time part of the names (default: now, UTC, in nanoseconds).

    Returns
    -------
    list of Path
        The copies, in the order of ``sources``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp or _stamp()
    n = 0
    while True:
        tag = stamp if n == 0 else f"{stamp}-{n}"
        names = [folder / f"{s.stem}.{tag}{s.suffix}" for s in sources]
        if not any(p.exists() for p in names):
            break
        n += 1
    done: list[Path] = []
    try:
        for src, dst in zip(sources, names, strict=True):
            tmp = _stage_bytes(dst, b"")
            done.append(tmp)
            shutil.copy2(src, tmp)  # bytes and times of the original
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            _replace(tmp, dst)
            done[-1] = dst
    except BaseException:
        for p in done:
            p.unlink(missing_ok=True)
        raise
    return names


# --------------------------------------------------------------------------- journal
def _roll_forward(moves: Sequence[Move]) -> None:
    for m in moves:
        if m.staged.exists():  # a missing staged file was renamed already
            _replace(m.staged, m.target)


def _roll_back(moves: Sequence[Move]) -> None:
    for m in moves:
        if m.staged.exists():  # never renamed: the target is as it was
            m.staged.unlink()
        elif m.backup is not None and m.backup.exists():
            _replace(m.backup, m.target)  # the backup is a byte-exact copy
        elif m.created:  # the new file was put in place: take it away
            m.target.unlink(missing_ok=True)


def _finish(folder: Path, mode: str, moves: Sequence[Move]) -> None:
    (_roll_forward if mode == "forward" else _roll_back)(moves)
    _sync_folder(folder)
    (folder / JOURNAL_NAME).unlink(missing_ok=True)
    _sync_folder(folder)


def commit_files(folder: Path, moves: Sequence[Move]) -> None:
    """Rename staged files onto their targets as one recoverable step.

    A journal listing the moves is written (atomically, synced) before the first
    rename and removed after the last. If the process dies in between, the next
    :func:`write_lock` on ``folder`` finishes the renames. If a rename fails with
    an error, the moves already made are undone from the backups (the journal is
    switched to "undo" first, so a death during the undo is also recovered) and
    the error is re-raised. The journal records each staged file's SHA-256; the
    next run checks every move against the rules of :mod:`geo._journal` before it
    moves anything, and refuses a journal that breaks them.

    Parameters
    ----------
    folder
        The folder holding the journal; every target lies inside it.
    moves
        Staged files (complete and synced) and their targets.
    """
    journal = folder / JOURNAL_NAME
    with write_lock(folder), data_writes(journal):
        atomic_write_text(journal, journal_text(folder, moves, "forward"))
        try:
            for m in moves:
                _replace(m.staged, m.target)
        except BaseException:
            try:
                atomic_write_text(journal, journal_text(folder, moves, "undo"))
            except OSError:  # e.g. a full disk: undo without a record rather than finish
                (folder / JOURNAL_NAME).unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # a failed undo is retried from its record
                _finish(folder, "undo", moves)
            raise
        _sync_folder(folder)
        (folder / JOURNAL_NAME).unlink()
        _sync_folder(folder)


# --------------------------------------------------------------------------- recovery
def _stale_temps(folder: Path) -> list[Path]:
    return sorted({p for g in _TEMP_GLOBS for p in folder.glob(g) if p.is_file()})


def _settle_locked(folder: Path) -> list[str]:
    """Finish a pending commit and remove stale temporary files; return what was done."""
    done: list[str] = []
    if (folder / JOURNAL_NAME).exists():
        mode, moves, _ = read_journal(folder)  # checked before anything moves
        _finish(folder, mode, moves)
        names = ", ".join(m.target.name for m in moves)
        verb = "finished" if mode == "forward" else "undid"
        done.append(f"{folder}: {verb} an interrupted write of {names}")
    stale = _stale_temps(folder)
    for p in stale:
        p.unlink(missing_ok=True)
    if stale:
        done.append(f"{folder}: removed {len(stale)} temporary file(s) left by a stopped write")
    return done


def _report(messages: Sequence[str]) -> None:
    for msg in messages:
        warnings.warn(msg, InterruptedWriteWarning, stacklevel=4)


def settle(folder: str | Path) -> None:
    """Finish an interrupted commit in ``folder`` and remove stale temporary files.

    Cheap when there is nothing to do (two directory look-ups); otherwise it takes
    the write lock, which does the work. Temporary files are only removed when the
    lock is free at once and the folder writable; a pending commit is waited for.

    Parameters
    ----------
    folder
        The layers folder.
    """
    folder = Path(folder)
    pending = (folder / JOURNAL_NAME).exists()
    if not pending and not _stale_temps(folder):
        return
    try:
        # only a pending commit is worth waiting for; stale temporary files can wait
        with write_lock(folder, timeout=None if pending else 0):
            pass
    except OSError:  # a read-only folder, or a writer at work (it will tidy up)
        if pending:
            raise


def copy_data(destination: str | Path) -> dict[str, Path]:
    """Copy the layers, sources and notebooks folders into ``destination``, to edit there.

    Every file is written atomically; hidden files (locks, backups, notebook
    checkpoints) are not copied. The notebooks open ``destination/layers`` (the
    folder beside their own). Afterwards set ``GEO_LAYERS_DIR`` to
    ``destination/layers``.

    Parameters
    ----------
    destination
        A folder; ``layers/``, ``sources/`` and ``notebooks/`` are created inside it.

    Returns
    -------
    dict of str to Path
        The new ``layers``, ``sources`` and (where the notebooks are installed)
        ``notebooks`` folders.

    Raises
    ------
    FileExistsError
        If one of those folders already exists in ``destination`` (nothing is
        overwritten).
    OutputOnInputError
        If ``destination`` lies inside the data folders in use.
    """
    destination = Path(destination)
    pairs = {"layers": layers_dir(), "sources": sources_dir()}
    notebooks = notebooks_dir()
    if notebooks is not None:
        pairs["notebooks"] = notebooks
    for name in pairs:
        target = destination / name
        check_writable(target)  # a copy inside the data in use is refused
        if target.exists():
            raise FolderExistsError(
                f"{target} already exists; fix: choose another folder (nothing was copied)"
            )
    for name, source in pairs.items():
        with data_writes(destination / name):
            for file in sorted(source.rglob("*")):
                rel = file.relative_to(source)
                if file.is_file() and not any(p.startswith((".", "__")) for p in rel.parts):
                    atomic_write_bytes(destination / name / rel, file.read_bytes())
    return {name: destination / name for name in pairs}
