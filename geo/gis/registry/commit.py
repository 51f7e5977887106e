"""Writing a layer file and the catalog together through the folder's journal."""

from __future__ import annotations

from pathlib import Path

from geo._data import data_writes
from geo._io import backup_copies, commit_files, stage_bytes, stage_text, write_lock
from geo._journal import JOURNAL_NAME, Move
from geo.data.catalog import layer_path

__all__ = [
    "commit_layer",
    "retire_file",
]


BACKUP_DIR = ".backup"


# --------------------------------------------------------------------------- committing
def _discard(paths: list[Path], backup_dir: Path, made_backup_dir: bool) -> None:
    for p in paths:
        p.unlink(missing_ok=True)
    if made_backup_dir and backup_dir.exists() and not any(backup_dir.iterdir()):
        backup_dir.rmdir()


def commit_layer(
    directory: Path, rel_file: str, layer: str | bytes, catalog: str, stamp: str | None = None
) -> Path | None:
    """Write a layer file and the catalog together, or leave both untouched.

    Under the folder's write lock, both texts are written to synced temporary
    files beside their destinations; the previous layer file and catalog, if the
    layer existed, are copied to ``.backup/``; then both are renamed into place
    through a commit journal (:func:`geo._io.commit_files`). An error undoes the
    renames made; a kill half-way is finished by the next command that reads or
    writes the folder.

    Parameters
    ----------
    directory
        The layers folder.
    rel_file
        The layer file relative to ``directory`` (it must stay inside it).
    layer, catalog
        The new content of the layer file (GeoJSON text, or GeoParquet bytes) and the
        new text of ``catalog.yaml``.
    stamp
        Time part of the backup names (default: now, UTC, to the nanosecond).

    Returns
    -------
    Path or None
        The backup of the previous layer file, if there was one.

    Raises
    ------
    CatalogError
        If ``rel_file`` resolves outside ``directory``.
    """
    directory = Path(directory)
    dest = layer_path(Path(rel_file).stem, rel_file, directory)
    cat_path = directory / "catalog.yaml"
    backup_dir = directory / BACKUP_DIR
    with write_lock(directory), data_writes(dest, cat_path, backup_dir):
        made_backup_dir = not backup_dir.exists()
        created = not dest.exists()
        made: list[Path] = []
        try:
            if isinstance(layer, bytes):
                made.append(stage_bytes(dest, layer))
            else:
                made.append(stage_text(dest, layer))
            made.append(stage_text(cat_path, catalog))
            olds = [None, None] if created else backup_copies([dest, cat_path], backup_dir, stamp)
            made += [p for p in olds if p is not None]
            commit_files(
                directory,
                [Move(made[0], dest, olds[0], created), Move(made[1], cat_path, olds[1])],
            )
        except BaseException:
            if not (directory / JOURNAL_NAME).exists():  # else the next run undoes it
                _discard(made, backup_dir, made_backup_dir)
            raise
    return olds[0]


def retire_file(directory: Path, rel_file: str, stamp: str | None = None) -> Path | None:
    """Move a layer file the catalog no longer names into ``.backup/``.

    A layer replaced by one stored in another format (GeoJSON by GeoParquet, or
    back) leaves its former file behind; it is kept as a backup, not in the folder.

    Parameters
    ----------
    directory
        The layers folder.
    rel_file
        The former file, relative to ``directory``.
    stamp
        Time part of the backup name (default: now).

    Returns
    -------
    Path or None
        The backup, or None when there was no such file.
    """
    old = layer_path(Path(rel_file).stem, rel_file, directory)
    backup_dir = directory / BACKUP_DIR
    with write_lock(directory), data_writes(old, backup_dir):
        if not old.is_file():
            return None
        (kept,) = backup_copies([old], backup_dir, stamp)
        old.unlink()
    return kept
