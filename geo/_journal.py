"""The commit journal: what a multi-file commit records, and the rules it must keep.

:func:`geo._io.commit_files` writes a journal (``.geo-commit.json``) listing each
staged file, its target and the target's backup before it renames anything; the
next writer of the folder finishes (or undoes) an interrupted commit from it. A
journal is data read from disk, so before any file is moved every move is checked:
all paths stay in the folder; a target is a data file (never the journal, the lock,
a backup or a temporary file); the staged file is a temporary file of that target
(``.<name>.XXXX.tmp`` beside it) whose SHA-256 is the one recorded; a backup lies in
``.backup/`` under the target's name; undoing a created file deletes it only when it
is the file the commit wrote. One bad move refuses the whole journal, with one line
naming it and the fix, and nothing is moved.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.errors import JournalError

__all__ = [
    "BACKUP_DIR",
    "JOURNAL_NAME",
    "LOCK_NAME",
    "MAX_JOURNAL_BYTES",
    "Move",
    "journal_text",
    "read_journal",
]

#: Lock file taken by every writer of a folder.
LOCK_NAME = ".geo.lock"
#: Journal of a multi-file commit in progress (absent when no commit is pending).
JOURNAL_NAME = ".geo-commit.json"
#: Folder (inside the data folder) of the copies kept before data files change.
BACKUP_DIR = ".backup"
#: A commit journal larger than this is not read (a real one lists a few moves).
MAX_JOURNAL_BYTES = 1_000_000


@dataclass(frozen=True)
class Move:
    """One file of a commit: a staged temporary file, its target, and the target's backup.

    Attributes
    ----------
    staged
        The synced temporary file holding the new content.
    target
        The file it replaces.
    backup
        A copy of the previous target, used to undo a failed commit.
    created
        Whether the target is new (undoing the commit removes it).
    """

    staged: Path
    target: Path
    backup: Path | None = None
    created: bool = False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def journal_text(folder: Path, moves: Sequence[Move], mode: str) -> str:
    def rel(p: Path | None) -> str | None:
        return None if p is None else os.path.relpath(p, folder)

    entries = [
        {
            "staged": rel(m.staged),
            "target": rel(m.target),
            "backup": rel(m.backup),
            "created": m.created,
            "sha256": _sha256(m.staged) if m.staged.exists() else _sha256(m.target),
        }
        for m in moves
    ]
    return json.dumps({"mode": mode, "moves": entries}, indent=1) + "\n"


def _journal_refused(folder: Path, reason: str) -> JournalError:
    return JournalError(
        f"{folder / JOURNAL_NAME}: commit journal refused: {reason}; nothing was moved; "
        f"fix: compare the files of {folder} with {folder / BACKUP_DIR}, then delete the journal"
    )


def read_journal(folder: Path) -> tuple[str, list[Move], list[str]]:
    """Read the journal of ``folder`` and check every move it names.

    Parameters
    ----------
    folder
        The folder holding ``.geo-commit.json``.

    Returns
    -------
    tuple of (str, list of Move, list of str)
        The mode (``forward`` or ``undo``), the moves and their SHA-256 digests.

    Raises
    ------
    JournalError
        If the journal cannot be read (broken, over-deep, too large) or one move
        breaks the rules (see the module); nothing has been moved.
    """
    path = folder / JOURNAL_NAME
    try:
        if path.stat().st_size > MAX_JOURNAL_BYTES:
            raise JournalError(f"over {MAX_JOURNAL_BYTES:,} bytes, not a journal of geo")
        doc = json.loads(path.read_text(encoding="utf-8"))
        root = folder.resolve()

        def inside(p: str) -> Path:
            if not (folder / p).resolve().is_relative_to(root):  # only ever renames inside
                raise JournalError(f"path {p!r} leaves the folder")
            return folder / p

        moves = [
            Move(
                inside(e["staged"]),
                inside(e["target"]),
                None if e["backup"] is None else inside(e["backup"]),
                e["created"] is True,
            )
            for e in doc["moves"]
        ]
        hashes = [str(e.get("sha256", "")) for e in doc["moves"]]
        if doc["mode"] not in ("forward", "undo"):
            raise JournalError(f"unknown mode {doc['mode']!r}")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise _journal_refused(folder, f"unreadable ({reason})") from None
    _check_moves(folder, doc["mode"], moves, hashes)
    return doc["mode"], moves, hashes


def _move_problem(folder: Path, m: Move, mode: str, sha: str) -> str | None:
    """Say why the journal may not make move ``m``, or ``None`` when it may."""
    target, rel = m.target, os.path.relpath(m.target, folder)
    parts = Path(rel).parts
    if target.name in (JOURNAL_NAME, LOCK_NAME) or BACKUP_DIR in parts or ".tmp" in target.name:
        return f"it names {rel} as a target, which no commit writes"
    staged = m.staged.name
    if m.staged.parent != target.parent or not (
        staged.startswith(f".{target.name[:200]}.") and staged.endswith(".tmp")
    ):
        return f"{os.path.relpath(m.staged, folder)} is not a temporary file of {rel}"
    if m.backup is not None and (
        m.backup.parent != folder / BACKUP_DIR
        or not (
            m.backup.name.startswith(f"{target.stem}.") and m.backup.name.endswith(target.suffix)
        )
    ):
        return f"{os.path.relpath(m.backup, folder)} is not a backup of {rel}"
    if mode == "forward" and m.staged.exists() and _sha256(m.staged) != sha:
        return f"{os.path.relpath(m.staged, folder)} is not the file the commit staged"
    deletes = mode == "undo" and m.created and not m.staged.exists() and m.backup is None
    if deletes and target.exists() and _sha256(target) != sha:
        return f"undoing would delete {rel}, which is not the file the commit wrote"
    return None


def _check_moves(folder: Path, mode: str, moves: Sequence[Move], hashes: Sequence[str]) -> None:
    """Refuse the whole journal, before any move, if one move breaks the rules."""
    for m, sha in zip(moves, hashes, strict=True):
        problem = _move_problem(folder, m, mode, sha)
        if problem is not None:
            raise _journal_refused(folder, problem)
