"""The GIS edits of a project kept in PostGIS: add a layer, fix positions, link claims.

Each edit is computed and checked exactly as for a folder (:func:`geo.gis.registry.add.add_layer`,
:func:`geo.gis.correction.writing.fix_positions`), on the copy the project was read
through, then written to the database in one transaction, each row at the version
the project read (:mod:`geo.db.edits`): an edit based on a row changed since is
refused, naming the row and the other edit, and nothing of it is written.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.gis.correction.records import Correction, FixResult
    from geo.gis.registry.add import AddResult
    from geo.project import Project

__all__ = ["add_layer_to_store", "fix_positions_in_store", "relink_in_store"]


def fix_positions_in_store(
    project: Project, corrections: Sequence[Correction], application: str
) -> FixResult:
    """Apply corrections to the gazetteer of the project's database.

    Parameters
    ----------
    project
        A project opened from a DSN.
    corrections
        New positions.
    application
        The author recorded on the rows (``geo gazetteer set``).

    Returns
    -------
    FixResult
        What changed (``written`` once committed).

    Raises
    ------
    EditConflictError
        If a row changed since the project read it; nothing is written.
    """
    from geo.db.edits import RowEdit, apply_row_edits
    from geo.gis.correction.writing import fix_positions

    result = fix_positions(corrections, project.folder, dry_run=True, downstream=False)
    base = project.versions.get("gazetteer", {})
    edits = [
        RowEdit(c.before["name_zh"], base.get(c.before["name_zh"], 0), dict(c.after))
        for c in result.changes
    ]
    if edits:
        apply_row_edits(str(project.dsn), "gazetteer", "name_zh", edits, application)
        result.written = True
    return result


def add_layer_to_store(
    project: Project, path: str | Path, layer_id: str, **options: Any
) -> AddResult:
    """Add a layer to the project's database, read and checked as ``geo add-layer`` does.

    Parameters
    ----------
    project
        A project opened from a DSN.
    path
        The input file.
    layer_id
        The new layer's id.
    **options
        The other arguments of :func:`geo.gis.registry.add.add_layer` (titles, crs ...).

    Returns
    -------
    AddResult
        Its paths name the copy the layer was checked in.

    Raises
    ------
    EditConflictError
        If the id was taken, or the layer replaced, by another edit meanwhile.
    """
    import yaml

    from geo.data.catalog import read_catalog
    from geo.db.edits import add_layer
    from geo.gis.qgis import style_rows
    from geo.gis.registry.add import add_layer as add_to_folder
    from geo.gis.registry.entry import catalog_text_with_entry

    scratch = Path(tempfile.mkdtemp(prefix="geo-add-"))
    try:
        folder = scratch / "layers"
        shutil.copytree(project.folder, folder)
        result = add_to_folder(path, layer_id, directory=folder, **options)
        catalog = yaml.safe_load((folder / "catalog.yaml").read_text(encoding="utf-8"))
        entry = next(e for e in catalog["layers"] if e.get("id") == layer_id)
        base = project.versions.get("catalog", {}).get(layer_id) if result.replaced else None
        rel = result.layer_path.relative_to(folder).as_posix()
        add_layer(
            str(project.dsn),
            entry,
            rel,
            result.layer_path.read_bytes(),
            "geo add-layer",
            base,
            lambda text, new: catalog_text_with_entry(text, new, replace=base is not None)[0],
            style_rows(read_catalog(folder / "catalog.yaml"), {layer_id: result.features}),
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def relink_in_store(project: Project) -> tuple[Any, Any]:
    """Link the claims of the project's database to layer features (``geo claims --link``).

    Parameters
    ----------
    project
        A project opened from a DSN.

    Returns
    -------
    tuple of DataFrame
        The linked ledger and the changes (``claim_id, place, old, new``), as
        :func:`geo.claims.linking.relink_ledger` returns them.

    Raises
    ------
    EditConflictError
        If a changed claim row was edited since the project read it; nothing is written.
    """
    from geo.claims.linking import relink_ledger
    from geo.db.edits import RowEdit, apply_row_edits

    linked, changes, _ = relink_ledger(project.claims_path, dry_run=True)
    base = project.versions.get("claims", {})
    edits = [
        RowEdit(str(cid), base.get(str(cid), 0), {"feature_id": str(new)})
        for cid, new in zip(changes["claim_id"], changes["new"], strict=True)
    ]
    if edits:
        apply_row_edits(str(project.dsn), "claims", "claim_id", edits, "geo claims --link")
    return linked, changes
