"""Editing the store together: each edit one transaction, a stale edit refused.

Every row carries ``geo_version``. An edit names the version it was based on (the
one its project read, :attr:`geo.Project.versions`); the row is changed only if it
still has that version (``UPDATE … WHERE geo_version = %s``), and its version goes
up by one. When another edit came first, nothing of the edit is written and
:class:`~geo.errors.EditConflictError` names the row, the other edit (who, when,
which version) and what to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo._errors import EditConflictError
from geo.db.connection import transaction
from geo.db.store import LAYERS_SCHEMA, META_SCHEMA

__all__ = ["RowEdit", "apply_row_edits", "conflict_message"]


@dataclass(frozen=True)
class RowEdit:
    """One row to change, keyed by a column.

    Attributes
    ----------
    key
        The key's value (a gazetteer ``name_zh``).
    base_version
        The version the edit was based on.
    values
        Column -> new value.
    """

    key: str
    base_version: int
    values: Mapping[str, Any]


def conflict_message(table: str, key: str, base: int, now: tuple[Any, ...] | None) -> str:
    """Return the one line of a refused edit.

    Parameters
    ----------
    table
        The table (``gazetteer``).
    key
        The row's key.
    base
        The version the edit was based on.
    now
        The row's current ``(version, edited_by, edited_at)``; ``None`` if deleted.

    Returns
    -------
    str

    >>> print(conflict_message("gazetteer", "重庆大学A区", 1, (2, "geo gazetteer set", "12:00")))
    ... # doctest: +NORMALIZE_WHITESPACE
    gazetteer row 重庆大学A区: changed by another edit (geo gazetteer set at 12:00, now
    version 2) since this edit read version 1; nothing was written; fix: run the command
    again to edit the current row (`geo db pull DIR --db DSN` shows it)
    """
    if now is None:
        other = "deleted by another edit"
    else:
        other = f"changed by another edit ({now[1]} at {now[2]}, now version {now[0]})"
    return (
        f"{table} row {key}: {other} since this edit read version {base}; nothing was "
        "written; fix: run the command again to edit the current row "
        "(`geo db pull DIR --db DSN` shows it)"
    )


def apply_row_edits(
    dsn: str,
    table: str,
    key_column: str,
    edits: Sequence[RowEdit],
    application: str,
    *,
    layer: bool = False,
) -> int:
    """Change rows in one transaction, each only if it still has its base version.

    Parameters
    ----------
    dsn
        The database.
    table
        A table of schema ``geo`` (``gazetteer``), or a layer id with ``layer``.
    key_column
        The column naming the row (``name_zh``, ``id``).
    edits
        The rows to change.
    application
        The author recorded on the rows.
    layer
        ``table`` is a layer table.

    Returns
    -------
    int
        Rows changed.

    Raises
    ------
    EditConflictError
        If a row changed since its base version; nothing is written.
    """
    from psycopg import sql

    ident = sql.Identifier(LAYERS_SCHEMA if layer else META_SCHEMA, table)
    with transaction(dsn, application, f"edit {table}") as conn:
        for edit in edits:
            sets = sql.SQL(", ").join(
                sql.SQL("{} = %s").format(sql.Identifier(c)) for c in edit.values
            )
            done = conn.execute(
                sql.SQL(
                    "UPDATE {} SET {}, geo_version = geo_version + 1, geo_edited_by = %s, "
                    "geo_edited_at = now() WHERE {} = %s AND geo_version = %s"
                ).format(ident, sets, sql.Identifier(key_column)),
                (*edit.values.values(), application, edit.key, edit.base_version),
            )
            if done.rowcount != 1:
                now = conn.execute(
                    sql.SQL(
                        "SELECT geo_version, geo_edited_by, "
                        "to_char(geo_edited_at, 'YYYY-MM-DD HH24:MI:SS') FROM {} WHERE {} = %s"
                    ).format(ident, sql.Identifier(key_column)),
                    (edit.key,),
                ).fetchone()
                raise EditConflictError(conflict_message(table, edit.key, edit.base_version, now))
    return len(edits)
