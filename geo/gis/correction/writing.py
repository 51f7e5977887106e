"""Applying corrections to ``gazetteer.csv``: the one read-modify-write of the file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from geo.data.gazetteer import Gazetteer
from geo.errors import LayerValidationError, Problem
from geo.gis.correction.changes import corrected_rows
from geo.gis.correction.downstream import compare_states, load_state
from geo.gis.correction.records import BACKUP_DIR, Correction, Downstream, FixResult
from geo.gis.correction.text import gazetteer_from_text, parse_gazetteer_text, render_gazetteer_text

__all__ = [
    "fix_positions",
]


# --------------------------------------------------------------------------- writing
def _validate_new(text_before: Gazetteer, text_after: Gazetteer, path: Path) -> None:
    """Refuse a change that adds problems to the gazetteer's own checks.

    A ``within`` is checked against the zones of the catalog beside the gazetteer.
    """
    from geo.data.catalog import read_catalog
    from geo.data.placement import zone_ids

    catalog = path.parent / "catalog.yaml"
    zones = frozenset(zone_ids(read_catalog(catalog))) if catalog.is_file() else None
    before = set(text_before.validate(zones))
    added = [p for p in text_after.validate(zones) if p not in before]
    if added:
        raise LayerValidationError(
            [Problem(str(path), "-", p, "check the supplied position and its CRS") for p in added]
        )


def _read_ledger(directory: Path) -> pd.DataFrame | None:
    from geo.claims.ledger import read_ledger

    path = directory / "claims.csv"
    return read_ledger(path) if path.exists() else None


def fix_positions(
    corrections: Sequence[Correction],
    directory: str | Path | None = None,
    *,
    dry_run: bool = False,
    downstream: bool = True,
    today: str | None = None,
) -> FixResult:
    """Apply corrections to ``gazetteer.csv``: read, change, check, compare, write.

    This is the whole read-modify-write of the gazetteer: the file is read once,
    the new text computed, checked and compared downstream in memory, then written
    atomically (temporary file and rename) after a copy of the old file is kept in
    ``.backup/gazetteer.<timestamp>.csv``. A failure at any point leaves the file as
    it was.

    Parameters
    ----------
    corrections
        New positions.
    directory
        The layers folder; default :func:`geo.data.layers.layers_dir`.
    dry_run
        Compute and compare, but write nothing.
    downstream
        Load the layers and claims to report what changes (default True).
    today
        Date for the notes (ISO); default today (UTC).

    Returns
    -------
    FixResult

    Raises
    ------
    LayerValidationError
        If a correction names an unknown place or makes the gazetteer fail its checks.
    """
    from geo.data.catalog import layers_dir

    folder = Path(directory) if directory is not None else layers_dir()
    if dry_run:
        return _fix_positions(corrections, folder, dry_run, downstream, today)
    from geo._io import write_lock

    with write_lock(folder):
        return _fix_positions(corrections, folder, dry_run, downstream, today)


def _fix_positions(
    corrections: Sequence[Correction],
    folder: Path,
    dry_run: bool,
    downstream: bool,
    today: str | None,
) -> FixResult:
    """Read, change, check, compare and (unless ``dry_run``) write; the caller locks."""
    from geo._data import data_writes
    from geo._io import atomic_write_text, backup_copies

    path = folder / "gazetteer.csv"
    now = dt.datetime.now(dt.UTC)
    text = path.read_text(encoding="utf-8")
    header, rows = parse_gazetteer_text(text)
    new_rows, changes = corrected_rows(rows, corrections, today or now.date().isoformat())
    new_text = render_gazetteer_text(header, new_rows)
    old_gaz, new_gaz = gazetteer_from_text(text), gazetteer_from_text(new_text)
    _validate_new(old_gaz, new_gaz, path)
    report = Downstream()
    if downstream and changes:
        ledger = _read_ledger(folder)
        report = compare_states(
            load_state(folder, old_gaz, ledger), load_state(folder, new_gaz, ledger)
        )
    result = FixResult(path, changes, report)
    if dry_run or not changes:
        return result
    with data_writes(path, folder / BACKUP_DIR):  # the gazetteer and its backups only
        result.backup = backup_copies([path], folder / BACKUP_DIR)[0]
        atomic_write_text(path, new_text)
    result.written = True
    return result
