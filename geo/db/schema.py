"""The store's schema: its names, ``geo db init``, version triggers and QGIS styles.

Schema ``geo`` holds the catalog, the gazetteer, the claims ledger and ``files``;
schema ``geo_layers`` one table per layer (:mod:`geo.db.store`). Every table of
rows gets the ``geo_version`` trigger: any update (by the toolkit, QGIS or psql)
raises the row's version. QGIS styles go to QGIS's own ``public.layer_styles``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geo.db.connection import transaction
from geo.errors import DatabaseError, DatabaseSchemaError

__all__ = [
    "CSV_TABLES",
    "LAYERS_SCHEMA",
    "META_SCHEMA",
    "ROW_COLUMNS",
    "init",
    "put_styles",
]

META_SCHEMA = "geo"
LAYERS_SCHEMA = "geo_layers"
#: Columns every table has besides its data (a property of these names is refused).
ROW_COLUMNS = ("geo_fid", "geo_row", "geo_version", "geo_edited_by", "geo_edited_at", "geom")
#: The CSV files kept as tables, by file name.
CSV_TABLES = {"gazetteer.csv": "gazetteer", "claims.csv": "claims"}
_MAX_IDENT = 63  # bytes in a PostgreSQL identifier

_INIT = (
    "CREATE EXTENSION IF NOT EXISTS postgis",
    "CREATE SCHEMA IF NOT EXISTS geo",
    "CREATE SCHEMA IF NOT EXISTS geo_layers",
    "CREATE TABLE IF NOT EXISTS geo.files (path text PRIMARY KEY, role text NOT NULL, "
    "source text, head json, body bytea NOT NULL, rows_digest text)",
    "CREATE TABLE IF NOT EXISTS geo.catalog (geo_row integer PRIMARY KEY, "
    "layer_id text UNIQUE NOT NULL, entry json NOT NULL, "
    "geo_version integer NOT NULL DEFAULT 1, geo_edited_by text, "
    "geo_edited_at timestamptz NOT NULL DEFAULT now())",
    # every change of a row, by geo or by QGIS, psql …, raises its version
    "CREATE OR REPLACE FUNCTION geo.bump_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN NEW.geo_version := OLD.geo_version + 1; "
    "NEW.geo_edited_by := coalesce(nullif(current_setting('application_name', true), ''), "
    "current_user); NEW.geo_edited_at := now(); RETURN NEW; END $$",
    "CREATE OR REPLACE TRIGGER geo_version BEFORE UPDATE ON geo.catalog "
    "FOR EACH ROW EXECUTE FUNCTION geo.bump_version()",
)


def _sql() -> Any:
    from psycopg import sql

    return sql


def init(dsn: str) -> None:
    """Create the PostGIS extension, the schemas and the catalog and files tables.

    Parameters
    ----------
    dsn
        The database.

    Raises
    ------
    PostGISMissingError, DatabasePermissionError, DatabaseUnreachableError
        Each naming the fix.
    """
    with transaction(dsn, "geo db init", "init") as conn:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
        ).fetchone()
        if available is None:
            from geo.db.connection import _postgis_fix, redact
            from geo.errors import PostGISMissingError

            raise PostGISMissingError(_postgis_fix(redact(dsn), "extension not available"))
        for statement in _INIT:
            conn.execute(statement)


def _ident_ok(name: str, what: str, where: str) -> None:
    if not name or len(name.encode("utf-8")) > _MAX_IDENT or name in ROW_COLUMNS:
        raise DatabaseSchemaError(
            f"{where}: {what} {name!r} cannot be a column or table name (empty, longer "
            f"than {_MAX_IDENT} bytes, or one of {', '.join(ROW_COLUMNS)}); fix: rename it"
        )


def _require_schema(conn: Any, dsn: str) -> None:
    found = conn.execute("SELECT to_regclass('geo.files'), to_regclass('geo.catalog')").fetchone()
    if found is None or None in found:
        from geo.db.connection import redact

        raise DatabaseSchemaError(
            f"database {redact(dsn)} holds no project schema; fix: run `geo db init --db DSN`"
        )


def _driver_error(exc: BaseException, dsn: str, doing: str) -> DatabaseError:
    from geo.db.connection import db_error

    return db_error(exc, dsn, doing)


def _raise_db(exc: BaseException, dsn: str, doing: str) -> None:
    """Re-raise a driver or SQLAlchemy error as the toolkit's one-line error."""
    module = type(exc).__module__
    if module.startswith(("psycopg", "sqlalchemy")):
        raise _driver_error(exc, dsn, doing) from None


_LAYER_STYLES = (
    "CREATE TABLE IF NOT EXISTS public.layer_styles (id serial PRIMARY KEY, "
    "f_table_catalog varchar, f_table_schema varchar, f_table_name varchar, "
    "f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, "
    "useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, "
    "ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"
)


def _push_styles(conn: Any, styles: Sequence[Any], tables: Sequence[str] | None = None) -> int:
    """Write QGIS styles into ``public.layer_styles`` (QGIS's own table).

    The styles of the layer tables named in ``tables`` (default: every layer table)
    are replaced. Their ``type`` is NULL: QGIS looks a layer's default style up by
    ``type`` = its geometry type (``Point``, ``Line``, ``Polygon``) or NULL.
    """
    conn.execute(_LAYER_STYLES)
    conn.execute(
        "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() "
        "AND f_table_schema = %s AND (%s::text[] IS NULL OR f_table_name = ANY(%s::text[]))",
        (LAYERS_SCHEMA, tables, tables),
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, type) "
            "VALUES (current_database(), %s, %s, 'geom', %s, XMLPARSE(DOCUMENT %s), "
            "XMLPARSE(DOCUMENT %s), true, %s, NULL)",
            [
                (LAYERS_SCHEMA, r.f_table_name, r.style_name, r.qml, r.sld, r.description)
                for r in styles
            ],
        )
    return len(styles)


def _versioned(conn: Any, table: Any) -> None:
    """Make every update of the table's rows raise their version (:mod:`geo.db.edits`)."""
    sql = _sql()
    conn.execute(
        sql.SQL(
            "CREATE TRIGGER geo_version BEFORE UPDATE ON {} "
            "FOR EACH ROW EXECUTE FUNCTION geo.bump_version()"
        ).format(table)
    )


def put_styles(conn: Any, styles: Sequence[Any]) -> int:
    """Replace the QGIS styles of the layers ``styles`` name (see :func:`push`).

    Parameters
    ----------
    conn
        A psycopg connection in the edit's transaction.
    styles
        :class:`geo.gis.qgis.StyleRow` objects.

    Returns
    -------
    int
        Styles written.
    """
    return _push_styles(conn, styles, [r.f_table_name for r in styles])
