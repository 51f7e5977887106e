"""``geo db``: keep a project in PostGIS (init, push a folder, pull it back)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from geo.errors import DatabaseSchemaError, GeoError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``db`` command and its ``init``, ``push`` and ``pull`` subcommands."""
    p = sub.add_parser(
        "db",
        help="a project in PostgreSQL/PostGIS: init, push, pull",
        description="Keep a project in PostGIS, shared by several editors. The database "
        "is given by --db DSN (anywhere on the line, or $GEO_DB), e.g. "
        "postgresql://gis@db.office/shapingba (the password from PGPASSWORD or ~/.pgpass).",
    )
    dsub = p.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    i = dsub.add_parser(
        "init",
        help="create the PostGIS extension, the schemas and tables",
        description="Create the PostGIS extension and the geo and geo_layers schemas in "
        "the database named by --db (or $GEO_DB); the layer tables come with `geo db push`.",
    )
    i.set_defaults(func=run_init)
    u = dsub.add_parser(
        "push",
        help="load a data folder into the database (one transaction)",
        description="Load a data folder (catalog, gazetteer, claims ledger, layers and "
        "their QGIS styles) into the database in one transaction, replacing what was there.",
    )
    u.add_argument("folder", nargs="?", help="the data folder (default: the project's)")
    u.set_defaults(func=run_push)
    o = dsub.add_parser(
        "pull",
        help="write the database out as a data folder",
        description="Write the database out as a data folder, for `git diff` to review: "
        "a push then a pull gives the folder back byte for byte.",
    )
    o.add_argument("out", help="the folder to write (files that differ are rewritten)")
    o.set_defaults(func=run_pull)


def _dsn() -> str:
    from geo.db.connection import env_dsn

    dsn = env_dsn()
    if dsn is None:
        raise DatabaseSchemaError(
            "no database given; fix: add --db postgresql://USER@HOST/DBNAME (or set GEO_DB)"
        )
    return dsn


def run_init(args: argparse.Namespace) -> int:
    """Create the schema."""
    from geo.db.connection import redact
    from geo.db.store import init

    dsn = _dsn()
    init(dsn)
    print(f"initialised {redact(dsn)}: schemas geo and geo_layers, PostGIS enabled")
    return 0


def run_push(args: argparse.Namespace) -> int:
    """Load a folder in one transaction."""
    from geo import _data
    from geo.db.connection import redact
    from geo.db.store import push

    dsn = _dsn()
    folder = Path(args.folder) if args.folder else _data.layers_dir()
    counts = push(dsn, folder, styles=_styles(folder))
    layers = sum(1 for k in counts if k.startswith("layer:"))
    features = sum(v for k, v in counts.items() if k.startswith("layer:"))
    print(
        f"pushed {folder} to {redact(dsn)}: {layers} layer tables ({features} features), "
        f"{counts.get('catalog', 0)} catalog entries, {counts.get('gazetteer', 0)} places, "
        f"{counts.get('claims', 0)} claims, {counts['files']} files, "
        f"{counts.get('layer_styles', 0)} QGIS styles"
    )
    return 0


def _styles(folder: Path) -> list[Any]:
    """Return the QGIS styles of the folder's source layers that load (as the GeoPackage's)."""
    import warnings

    from geo.gis.qgis import style_rows
    from geo.project import Project

    project = Project(folder)
    try:
        catalog = project.catalog
        ids = [s.id for s in catalog if not s.is_derived]
        with warnings.catch_warnings():  # a layer that does not load is stored, unstyled
            warnings.simplefilter("ignore")
            return list(style_rows(catalog, project.layers(ids)))
    except GeoError as exc:
        print(f"note: no QGIS styles written ({str(exc).splitlines()[0]})")
        return []


def run_pull(args: argparse.Namespace) -> int:
    """Write the database out as a folder."""
    from geo._data import data_writes
    from geo.db.connection import redact
    from geo.db.snapshot import write_folder
    from geo.db.store import read_folder

    dsn = _dsn()
    result = read_folder(dsn)
    out = Path(args.out)
    with data_writes(out):
        written = write_folder(result, out)
    for rel in result.edited:
        print(f"edited in the database: {rel}")
    print(f"pulled {redact(dsn)} into {out}: {len(written)} of {len(result.files)} files written")
    return 0
