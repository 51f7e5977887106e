"""Connecting to a PostGIS store: the DSN, its password kept out of every message.

A DSN is what ``psql`` takes: a URL (``postgresql://user:secret@host:5432/gis``) or
key=value words (``host=/run/postgresql dbname=gis``). :func:`redact` shows it with
the password replaced by ``***``; every error of this room goes through
:func:`scrub`, so the password never reaches a terminal, a log or a page.
psycopg and SQLAlchemy are imported when a connection is made, never at start-up.

>>> redact("postgresql://gis:s3cret@db.office:5432/shapingba")
'postgresql://gis:***@db.office:5432/shapingba'
>>> redact("host=db.office dbname=shapingba password='a b' user=gis")
'host=db.office dbname=shapingba password=*** user=gis'
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from geo.errors import (
    DatabaseError,
    DatabasePermissionError,
    DatabaseSchemaError,
    DatabaseUnreachableError,
    MissingDependencyError,
    PostGISMissingError,
)

if TYPE_CHECKING:
    import psycopg
    import sqlalchemy

__all__ = [
    "DSN_ENV",
    "connect",
    "db_error",
    "engine",
    "env_dsn",
    "is_dsn",
    "redact",
    "scrub",
    "transaction",
]

#: The environment variable naming the store every command reads (as ``--db`` does).
DSN_ENV = "GEO_DB"
#: How to install what this room needs.
INSTALL_FIX = "pip install 'shapingba-geo[db]' (psycopg, SQLAlchemy, GeoAlchemy2)"

_URL_PASSWORD = re.compile(r"^(?P<head>[a-z0-9+]+://[^:/@?#]*:)(?P<pw>[^@]*)(?P<tail>@)", re.I)
_WORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.I)


def is_dsn(text: str) -> bool:
    """Say whether ``text`` names a database rather than a folder.

    Parameters
    ----------
    text
        A path or a DSN.

    Returns
    -------
    bool

    >>> is_dsn("postgresql://localhost/gis"), is_dsn("my/layers")
    (True, False)
    """
    return bool(re.match(r"^postgres(ql)?(\+\w+)?://", text)) or bool(
        re.search(r"(^|\s)(dbname|host)=", text)
    )


def env_dsn() -> str | None:
    """Return the DSN of ``$GEO_DB``, or ``None`` when it is unset or empty."""
    return os.environ.get(DSN_ENV) or None


def _passwords(dsn: str) -> list[str]:
    """Return the password(s) written in ``dsn``, and ``$PGPASSWORD``."""
    found = [m.group("pw") for m in [_URL_PASSWORD.match(dsn)] if m and m.group("pw")]
    found += [m.group(2).strip("'") for m in _WORD_PASSWORD.finditer(dsn)]
    found += [m.group(2) for m in _QUERY_PASSWORD.finditer(dsn)]
    if os.environ.get("PGPASSWORD"):
        found.append(os.environ["PGPASSWORD"])
    return [p for p in found if p]


def redact(dsn: str) -> str:
    """Return ``dsn`` with its password shown as ``***``.

    Parameters
    ----------
    dsn
        A URL or key=value DSN.

    Returns
    -------
    str
    """
    out = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}***{m.group('tail')}", dsn)
    out = _WORD_PASSWORD.sub(lambda m: f"{m.group(1)}***", out)
    return _QUERY_PASSWORD.sub(lambda m: f"{m.group(1)}***", out)


def scrub(text: str, dsn: str) -> str:
    """Return ``text`` with every password of ``dsn`` (and the DSN itself) redacted.

    Parameters
    ----------
    text
        A message that may quote the DSN or its password.
    dsn
        The DSN.

    Returns
    -------
    str
    """
    out = text.replace(dsn, redact(dsn))
    for secret in _passwords(dsn):
        out = out.replace(secret, "***")
    return " ".join(out.split())


def _modules() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg.errors
    except ImportError as exc:  # pragma: no cover - the db extra is missing
        raise MissingDependencyError(f"the PostGIS store needs psycopg: {INSTALL_FIX}") from exc
    return psycopg, psycopg.errors


def db_error(exc: BaseException, dsn: str, doing: str) -> DatabaseError:
    """Turn a driver error into one line naming the fix (password redacted).

    Parameters
    ----------
    exc
        The error psycopg or SQLAlchemy raised.
    dsn
        The DSN in use.
    doing
        What was being done (``"push"``), for the message.

    Returns
    -------
    DatabaseError
        The subclass that says what to do.
    """
    _, errors = _modules()
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    where = redact(dsn)
    text = scrub(str(cause).strip().splitlines()[0] if str(cause).strip() else "", dsn)
    if isinstance(cause, errors.InsufficientPrivilege):
        return DatabasePermissionError(
            f"database {where}: {doing} refused: {text}; fix: ask the database owner to "
            "GRANT the role CREATE on the database and ALL on the schemas geo and geo_layers "
            "(or run `geo db init` as the owner)"
        )
    if isinstance(cause, errors.UndefinedFile | errors.FeatureNotSupported) and (
        "postgis" in text.lower()
    ):
        return PostGISMissingError(_postgis_fix(where, text))
    if isinstance(cause, errors.UndefinedTable | errors.InvalidSchemaName):
        return DatabaseSchemaError(
            f"database {where} holds no project ({text}); fix: run `geo db init --db DSN` "
            "then `geo db push DIR --db DSN`"
        )
    if isinstance(cause, errors.OperationalError):
        return DatabaseUnreachableError(
            f"database {where} cannot be reached: {text}; fix: start the server, or check "
            "host, port, database name, user and password (PGPASSWORD or ~/.pgpass) in the DSN"
        )
    return DatabaseError(f"database {where}: {doing} failed: {text}")


def _postgis_fix(where: str, text: str) -> str:
    return (
        f"database {where} has no PostGIS ({text}); fix: install it on the server "
        "(Debian: apt-get install postgresql-15-postgis-3) and run `geo db init` "
        "(CREATE EXTENSION postgis)"
    )


def connect(dsn: str, application: str = "geo") -> psycopg.Connection[Any]:
    """Open a connection (not in autocommit: every command is one transaction).

    Parameters
    ----------
    dsn
        A URL or key=value DSN.
    application
        Shown in ``pg_stat_activity`` and as the author of an edit.

    Returns
    -------
    psycopg.Connection

    Raises
    ------
    DatabaseUnreachableError
        If the server cannot be reached or refuses the login.
    """
    psycopg, errors = _modules()
    try:
        return psycopg.connect(dsn, application_name=application[:63], connect_timeout=10)
    except (errors.Error, ValueError) as exc:
        raise db_error(exc, dsn, "connect") from None


@contextmanager
def transaction(dsn: str, application: str, doing: str) -> Iterator[psycopg.Connection[Any]]:
    """Yield a connection inside one transaction: committed at the end, else rolled back.

    Parameters
    ----------
    dsn
        The DSN.
    application
        The connection's application name.
    doing
        What is done, for an error message.

    Yields
    ------
    psycopg.Connection
    """
    _, errors = _modules()
    conn = connect(dsn, application)
    try:
        with conn.transaction():
            yield conn
    except errors.Error as exc:
        raise db_error(exc, dsn, doing) from None
    finally:
        conn.close()


def engine(dsn: str, application: str = "geo") -> sqlalchemy.engine.Engine:
    """Return a SQLAlchemy engine over :func:`connect` (for geopandas' PostGIS I/O).

    Parameters
    ----------
    dsn
        The DSN (read by psycopg itself: URL or key=value).
    application
        The connection's application name.

    Returns
    -------
    sqlalchemy.engine.Engine
    """
    try:
        import geoalchemy2  # noqa: F401  (registers the Geometry type)
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - the db extra is missing
        raise MissingDependencyError(f"the PostGIS store needs SQLAlchemy: {INSTALL_FIX}") from exc
    return sqlalchemy.create_engine(
        "postgresql+psycopg://", creator=lambda: connect(dsn, application), poolclass=None
    )
