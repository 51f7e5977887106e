"""Editing the store together: each edit one transaction, a stale edit refused.

Every row carries ``geo_version``. An edit names the version it was based on (the
one its project read, :attr:`geo.Project.versions`); the row is changed only if it
still has that version (``UPDATE … WHERE geo_version = %s``), and its version goes
up by one. When another edit came first, nothing of the edit is written and
:class:`~geo.errors.EditConflictError` names the row, the other edit (who, when,
which version) and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo.db.connection import transaction
from geo.db.schema import LAYERS_SCHEMA, META_SCHEMA
from geo.errors import EditConflictError

__all__ = ["RowEdit", "add_layer", "apply_row_edits", "conflict_message"]


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


def add_layer(
    dsn: str,
    entry: Mapping[str, Any],
    rel: str,
    data: bytes,
    application: str,
    base_version: int | None = None,
    catalog_text: Callable[[str, Mapping[str, Any]], str] | None = None,
    styles: Sequence[Any] = (),
) -> int:
    """Add (or replace) a layer in one transaction: its catalog row and its table.

    Concurrent additions of different layers all land (the catalog is appended
    under a lock); a layer added or changed by another edit meanwhile is refused.

    Parameters
    ----------
    dsn
        The database.
    entry
        The catalog entry (its ``id`` names the table).
    rel
        The layer file's path in the folder (``<id>.geojson``).
    data
        The layer file (GeoJSON, WGS-84) as ``geo add-layer`` wrote it.
    application
        The author recorded on the rows.
    base_version
        To replace a layer: the version of its catalog row the edit read; ``None``
        adds a new layer.
    catalog_text
        Returns the stored ``catalog.yaml`` text with the entry written in (keeping
        its comments); used while that text still matches the catalog rows, so a
        pull gives the catalog as ``geo add-layer`` writes it.
    styles
        The layer's QGIS style (:func:`geo.db.store.put_styles`).

    Returns
    -------
    int
        Features written.

    Raises
    ------
    EditConflictError
        If the id is taken (adding) or the layer changed since it was read
        (replacing); nothing is written.
    """
    import json

    from psycopg import sql

    from geo.db.connection import engine
    from geo.db.schema import _raise_db, put_styles
    from geo.db.store import push_layer, seal_file

    layer_id = str(entry["id"])
    eng = engine(dsn, application)
    try:
        with eng.begin() as sa_conn:
            conn: Any = sa_conn.connection.driver_connection
            conn.execute("LOCK TABLE geo.catalog IN SHARE ROW EXCLUSIVE MODE")
            now = conn.execute(
                "SELECT geo_version, geo_edited_by, "
                "to_char(geo_edited_at, 'YYYY-MM-DD HH24:MI:SS') FROM geo.catalog "
                "WHERE layer_id = %s",
                (layer_id,),
            ).fetchone()
            _check_layer_base(layer_id, now, base_version)
            kept = _current_catalog(conn) if catalog_text is not None else None
            text = json.dumps(dict(entry), ensure_ascii=False, default=str)
            if now is None:
                conn.execute(
                    "INSERT INTO geo.catalog (geo_row, layer_id, entry, geo_edited_by) "
                    "VALUES ((SELECT coalesce(max(geo_row), -1) + 1 FROM geo.catalog), "
                    "%s, %s::json, %s)",
                    (layer_id, text, application),
                )
            else:
                conn.execute(
                    "UPDATE geo.catalog SET entry = %s::json, geo_version = geo_version + 1, "
                    "geo_edited_by = %s, geo_edited_at = now() WHERE layer_id = %s",
                    (text, application, layer_id),
                )
                conn.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}").format(
                        sql.Identifier(LAYERS_SCHEMA, layer_id)
                    )
                )
                conn.execute("DELETE FROM geo.files WHERE path = %s", (rel,))
            count = push_layer(
                sa_conn, layer_id, rel, data, application, entry.get("geometry_type")
            )
            seal_file(conn, rel)
            if kept is not None and catalog_text is not None:
                new = catalog_text(kept[1], entry).encode("utf-8")
                conn.execute("UPDATE geo.files SET body = %s WHERE path = %s", (new, kept[0]))
                seal_file(conn, kept[0])
            put_styles(conn, styles)
    except Exception as exc:
        _raise_db(exc, dsn, f"add layer {layer_id}")
        raise
    finally:
        eng.dispose()
    return count


def _current_catalog(conn: Any) -> tuple[str, str] | None:
    """Return the stored catalog file and text when its rows are as that text says."""
    from geo.db.codec import digest
    from geo.db.store import rendered_file

    row = conn.execute(
        "SELECT path, body, rows_digest FROM geo.files WHERE role = 'catalog'"
    ).fetchone()
    if row is None or digest(rendered_file(conn, row[0])) != row[2]:
        return None
    return str(row[0]), bytes(row[1]).decode("utf-8")


def _check_layer_base(layer_id: str, now: tuple[Any, ...] | None, base: int | None) -> None:
    """Refuse adding a taken id, or replacing a layer changed since it was read."""
    if now is not None and base is None:
        raise EditConflictError(
            f"catalog row {layer_id}: the layer exists already (added by {now[1]} at "
            f"{now[2]}, version {now[0]}); nothing was written; fix: choose another id, "
            "or pass --replace to replace it"
        )
    if base is not None and (now is None or int(now[0]) != base):
        raise EditConflictError(conflict_message("catalog", layer_id, base, now))
