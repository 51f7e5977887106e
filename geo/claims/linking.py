"""Which layer feature each claim is about: the ledger's ``feature_id`` column.

:func:`link_features` computes the column from layers in memory;
:func:`link_ledger` computes it for the ledger file, and :func:`relink_ledger`
rewrites the file under the layers folder's write lock.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.claims.ledger import (
    T15_ROW,
    ledger_path,
    read_ledger_text,
    typed_ledger,
    write_ledger,
)
from geo.claims.places import feature_names, layer_records, normalise_place, place_resolver
from geo.errors import CatalogError, LayerLoadWarning

if TYPE_CHECKING:
    from geo.project import Project

__all__ = ["link_features", "link_ledger", "relink_ledger"]

_REF = re.compile(r"^(?P<file>[^\s:;]+):L(?P<a>\d+)(?:-(?P<b>\d+))?")


def _cites(plan_ref: Any, source_file: str, line: int) -> bool:
    """Whether a feature's ``plan_ref`` cites ``source_file`` at ``line``."""
    for ref in str(plan_ref or "").split(";"):
        m = _REF.match(ref.strip())
        if m and m["file"] == source_file:
            a = int(m["a"])
            b = int(m["b"] or a)
            if a <= line <= b:
                return True
    return False


def link_features(
    claims: pd.DataFrame,
    layers: Mapping[str, Any],
    lookup: Callable[[str], str] | None = None,
) -> pd.Series:
    """Find the layer feature each claim is about; the ledger's ``feature_id`` column.

    Rules, in order:

    1. A Table 15 cell (``table_ref`` ``表15 row N ...``) is about the project of
       that row: the feature whose ``plan_ref`` cites 表15 and whose
       ``row_printed`` is N (the ledger uses the numbers as printed; row 36 is
       printed 46).
    2. Otherwise the features whose ``name_zh`` or ``aliases`` normalise
       (:func:`normalise_place`) to the claim's place. Among several, the first of:
       a feature whose ``plan_ref`` cites the claim's file and line; an area
       (polygon) feature, since a place that has an outline is that area (a ring
       is its ``ring-*`` polygon, not one of its member points); then the order of
       ``layers`` (catalog order: site layers before member layers), then id.
    3. No feature: ``""`` (table totals, a group of features such as all six
       rings, places outside the district or not mapped).

    A feature's ``place`` (where it stands) is never used: a lab at 黄金湾·智谷 is
    not 黄金湾·智谷.

    Parameters
    ----------
    claims
        The ledger (columns ``place``, ``table_ref``, ``source_file``, ``line``).
    layers
        Layers by catalog id, in catalog order, derived layers included (e.g.
        :meth:`geo.project.Project.layers`).
    lookup
        Gazetteer name resolver for :func:`normalise_place`.

    Returns
    -------
    pandas.Series
        Feature ids (str, ``""`` when none), indexed like ``claims``.
    """
    by_row: dict[int, str] = {}
    by_key: dict[str, list[tuple[int, str, bool, Any]]] = {}
    order = 0
    for gdf in layers.values():
        if gdf is None or not len(gdf):
            continue
        for rec in gdf.to_dict("records"):
            fid = str(rec.get("id") or "")
            if not fid:
                continue
            order += 1
            printed = rec.get("row_printed")
            if "表15" in str(rec.get("plan_ref") or "") and printed is not None:
                with contextlib.suppress(TypeError, ValueError):
                    by_row.setdefault(int(printed), fid)
            geom = rec.get("geometry")
            is_area = geom is not None and "Polygon" in geom.geom_type
            for name in feature_names(rec):
                by_key.setdefault(normalise_place(name, lookup), []).append(
                    (order, fid, is_area, rec.get("plan_ref"))
                )
    out: list[str] = []
    for row in claims.to_dict("records"):
        m = T15_ROW.match(str(row.get("table_ref") or ""))
        if m and int(m[1]) in by_row:
            out.append(by_row[int(m[1])])
            continue
        cands = by_key.get(normalise_place(str(row["place"]), lookup), [])
        if not cands:
            out.append("")
            continue
        src, line = str(row["source_file"]), int(row["line"])
        best = min(
            cands,
            key=lambda c: (not _cites(c[3], src, line), not c[2], c[0], c[1]),
        )
        out.append(best[1])
    return pd.Series(out, index=claims.index, name="feature_id", dtype=object)


def link_ledger(
    path: str | Path | None = None,
    layers: Mapping[str, Any] | None = None,
    lookup: Callable[[str], str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute the ledger's ``feature_id`` column from the layers (nothing written).

    Parameters
    ----------
    path
        The ledger; default :func:`geo.claims.ledger_path`.
    layers
        Layers by id in catalog order; default every catalog layer, derived included.
    lookup
        Name resolver; default the gazetteer's and the layers' areas
        (:func:`geo.claims.place_resolver`).

    Returns
    -------
    tuple of DataFrame
        The ledger as text with the new ``feature_id`` (for
        :func:`geo.claims.ledger_text`), and the changes (``claim_id, place, old,
        new``).
    """
    path = Path(path) if path is not None else ledger_path()
    raw = read_ledger_text(path)
    if layers is None or lookup is None:
        project = _project_of(path)
        layers = _every_layer(project) if layers is None else layers
        if lookup is None:
            lookup = place_resolver(project.gazetteer, layer_records(layers))
    new = link_features(typed_ledger(raw), layers, lookup)
    changed = raw["feature_id"] != new.to_numpy()
    changes = pd.DataFrame(
        {
            "claim_id": raw.loc[changed, "claim_id"],
            "place": raw.loc[changed, "place"],
            "old": raw.loc[changed, "feature_id"],
            "new": new[changed.to_numpy()].to_numpy(),
        }
    )
    out = raw.copy()
    out["feature_id"] = new.to_numpy()
    return out, changes


def _project_of(ledger: Path) -> Project:
    """Return the data folder of a ledger (its own folder when it has a catalog)."""
    from geo.project import Project

    folder = ledger.parent
    return Project(folder) if (folder / "catalog.yaml").is_file() else Project()


def _every_layer(project: Project) -> dict[str, Any]:
    """Return every catalog layer; refuse when one fails.

    Relinking without a layer would drop the links to its features.
    """
    import warnings

    with warnings.catch_warnings():  # the problems are raised below, all at once
        warnings.simplefilter("ignore", LayerLoadWarning)
        layers = project.layers()
    if project.problems:
        lines = "\n".join(f"  {p}" for p in project.problems)
        raise CatalogError(
            f"cannot relink the claims: {len(project.problems)} layer(s) do not load, and "
            f"relinking without them would drop the links to their features:\n{lines}"
        )
    return layers


def relink_ledger(
    path: str | Path | None = None, *, dry_run: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, Path | None]:
    """Recompute ``feature_id`` and rewrite the ledger if it changed.

    The ledger is read and written under its folder's write lock
    (:func:`geo._io.write_lock`), so no other writer's change is lost.

    Parameters
    ----------
    path
        The ledger; default :func:`geo.claims.ledger_path`.
    dry_run
        Compute and return the changes, write nothing (and take no lock).

    Returns
    -------
    tuple
        The linked ledger and the changes (see :func:`link_ledger`), and the path
        written (None when nothing was: a dry run, or no change).
    """
    from geo._data import data_writes
    from geo._io import write_lock

    path = Path(path) if path is not None else ledger_path()
    with contextlib.nullcontext() if dry_run else write_lock(path.parent), data_writes(path):
        linked, changes = link_ledger(path)
        wrote = None if dry_run or changes.empty else write_ledger(linked, path)
    return linked, changes, wrote
