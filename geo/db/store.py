"""A data folder in PostGIS: push (one transaction) and pull (names: :mod:`geo.db.schema`).

Schema ``geo`` holds the catalog (one row per layer), the gazetteer and the claims
ledger (one row per CSV row, every column text) and ``files`` (every file of the
folder: its bytes and the digest of its rows at push). Schema ``geo_layers`` holds
one table per layer: the feature properties as columns, ``geom`` (SRID 4326, GiST
index), ``geo_fid`` (the feature's place in the file) and ``geo_version``. Every
row carries ``geo_version``, ``geo_edited_by`` and ``geo_edited_at``
(:mod:`geo.db.edits`).

Pull writes each file back: its pushed bytes when its rows are as pushed (so push
then pull gives the folder byte for byte), else the rows in the folder's style
(:mod:`geo.db.codec`). Every identifier goes through ``psycopg.sql.Identifier``
and every value is a bound parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.db import codec
from geo.db.connection import transaction
from geo.db.schema import (
    CSV_TABLES,
    LAYERS_SCHEMA,
    META_SCHEMA,
    ROW_COLUMNS,
    _ident_ok,
    _push_styles,
    _raise_db,
    _require_schema,
    _sql,
    _versioned,
    init,
)

__all__ = [
    "LAYERS_SCHEMA",
    "META_SCHEMA",
    "PullResult",
    "init",
    "push",
    "push_layer",
    "read_folder",
    "rendered_file",
    "seal_file",
]


# --------------------------------------------------------------------------- push
def _files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Yield every file of a folder (hidden names skipped), by its path relative to it."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") for p in rel.parts):
            yield rel.as_posix(), path


#: PostGIS column type by catalog ``geometry_type`` (of a table with no geometry yet).
_COLUMN_TYPES = {"Point": "Point", "LineString": "LineString", "Polygon": "Polygon"}


def _layer_files(catalog: Mapping[str, Any]) -> dict[str, str]:
    """Return layer id by file, for the GeoJSON layers stored in WGS-84."""
    out = {}
    for entry in catalog.get("layers") or []:
        file, crs = entry.get("file"), str(entry.get("crs") or "wgs84").lower()
        if file and str(file).endswith((".geojson", ".json")) and crs in ("wgs84", "epsg:4326"):
            out[str(file)] = str(entry["id"])
    return out


def push(
    dsn: str,
    folder: str | Path,
    application: str = "geo db push",
    styles: Sequence[Any] = (),
) -> dict[str, int]:
    """Load a data folder into the database in one transaction, replacing what was there.

    Parameters
    ----------
    dsn
        The database (prepared by :func:`init`).
    folder
        The data folder (holding ``catalog.yaml``).
    application
        The connection's name (the author of the rows).
    styles
        QGIS styles of the layers (:class:`geo.gis.qgis.StyleRow`: ``f_table_name``,
        ``style_name``, ``qml``, ``sld``, ``description``), written to QGIS's
        ``public.layer_styles`` table as the default style of each layer table.

    Returns
    -------
    dict of str to int
        Rows written per table (``layer:<id>``, ``gazetteer``, ``claims``, ``catalog``,
        ``files``, ``layer_styles``).
    """
    import yaml

    from geo.db.connection import engine

    folder = Path(folder)
    catalog = yaml.safe_load((folder / "catalog.yaml").read_text(encoding="utf-8")) or {}
    layer_files = _layer_files(catalog)
    geometry_types = {str(e.get("id")): e.get("geometry_type") for e in catalog.get("layers") or []}
    counts: dict[str, int] = {}
    eng = engine(dsn, application)
    try:
        with eng.begin() as sa_conn:
            conn: Any = sa_conn.connection.driver_connection
            _require_schema(conn, dsn)
            conn.execute("LOCK TABLE geo.catalog, geo.files IN ACCESS EXCLUSIVE MODE")
            _clear(conn)
            counts["catalog"] = _push_catalog(conn, catalog, application)
            for rel, path in _files(folder):
                data = path.read_bytes()
                if rel == "catalog.yaml":
                    _put_file(conn, rel, "catalog", None, _catalog_head(catalog), data)
                elif rel in CSV_TABLES:
                    counts[CSV_TABLES[rel]] = _push_csv(conn, rel, data, application)
                elif rel in layer_files:
                    lid = layer_files[rel]
                    counts[f"layer:{lid}"] = push_layer(
                        sa_conn, lid, rel, data, application, geometry_types.get(lid)
                    )
                else:
                    _put_file(conn, rel, "file", None, None, data)
            _seal(conn)
            counts["files"] = len(list(_files(folder)))
            stored = {k.split(":", 1)[1] for k in counts if k.startswith("layer:")}
            counts["layer_styles"] = _push_styles(
                conn, [r for r in styles if r.f_table_name in stored]
            )
    except Exception as exc:
        _raise_db(exc, dsn, "push")
        raise
    finally:
        eng.dispose()
    return counts


def _clear(conn: Any) -> None:
    sql = _sql()
    tables = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        (LAYERS_SCHEMA,),
    ).fetchall()
    for (name,) in tables:
        conn.execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(LAYERS_SCHEMA, name)))
    for name in CSV_TABLES.values():
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(META_SCHEMA, name)))
    conn.execute("DELETE FROM geo.files")
    conn.execute("DELETE FROM geo.catalog")


def _catalog_head(catalog: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in catalog.items() if k != "layers"}


def _push_catalog(conn: Any, catalog: Mapping[str, Any], application: str) -> int:
    entries = list(catalog.get("layers") or [])
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO geo.catalog (geo_row, layer_id, entry, geo_edited_by) "
            "VALUES (%s, %s, %s::json, %s)",
            [
                (i, str(e.get("id")), json.dumps(e, ensure_ascii=False, default=str), application)
                for i, e in enumerate(entries)
            ],
        )
    return len(entries)


def _put_file(conn: Any, rel: str, role: str, source: str | None, head: Any, data: bytes) -> None:
    conn.execute(
        "INSERT INTO geo.files (path, role, source, head, body) VALUES (%s, %s, %s, %s::json, %s)",
        (rel, role, source, None if head is None else json.dumps(head, ensure_ascii=False), data),
    )


def _row_columns(row_key: str) -> str:
    return (
        f"{row_key} integer PRIMARY KEY, geo_version integer NOT NULL DEFAULT 1, "
        "geo_edited_by text, geo_edited_at timestamptz NOT NULL DEFAULT now()"
    )


def _push_csv(conn: Any, rel: str, data: bytes, application: str) -> int:
    sql = _sql()
    header, rows = codec.csv_rows(data.decode("utf-8"))
    for name in header:
        _ident_ok(name, "column", rel)
    table = sql.Identifier(META_SCHEMA, CSV_TABLES[rel])
    cols = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(h)) for h in header)
    conn.execute(
        sql.SQL("CREATE TABLE {} ({}, {})").format(table, sql.SQL(_row_columns("geo_row")), cols)
    )
    _versioned(conn, table)
    names = sql.SQL(", ").join(map(sql.Identifier, ["geo_row", "geo_edited_by", *header]))
    marks = sql.SQL(", ").join(sql.Placeholder() * (len(header) + 2))
    insert = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(table, names, marks)
    width = len(header)
    with conn.cursor() as cur:
        cur.executemany(
            insert,
            [(i, application, *(r + [""] * width)[:width]) for i, r in enumerate(rows)],
        )
    _put_file(conn, rel, "table", CSV_TABLES[rel], None, data)
    return len(rows)


def push_layer(
    sa_conn: Any,
    layer_id: str,
    rel: str,
    data: bytes,
    application: str,
    geometry_type: str | None = None,
) -> int:
    """Write one GeoJSON layer as a table of ``geo_layers`` (inside the caller's transaction).

    A layer without any geometry (every feature names a gazetteer place) gets a
    ``geom`` column of the catalog's geometry type, so that QGIS, which cannot guess
    the type of an empty generic column, opens the table.

    Parameters
    ----------
    sa_conn
        A SQLAlchemy connection in a transaction.
    layer_id
        The layer id (the table's name).
    rel
        The file's path in the folder.
    data
        The file's bytes.
    application
        The author of the rows.
    geometry_type
        The catalog's ``geometry_type`` (``Point``, ``LineString``, ``Polygon``).

    Returns
    -------
    int
        Features written.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely.geometry
    from geoalchemy2 import Geometry
    from sqlalchemy import BigInteger, Boolean, Double, Text
    from sqlalchemy.dialects.postgresql import JSON

    _ident_ok(layer_id, "layer id", rel)
    doc = json.loads(data.decode("utf-8"))
    features = doc.get("features") or []
    keys: list[str] = []
    for f in features:
        keys += [k for k in (f.get("properties") or {}) if k not in keys]
    for k in keys:
        _ident_ok(k, "property", f"{rel} (layer {layer_id})")
    sa_types = {
        "bigint": BigInteger(),
        "double precision": Double(),
        "boolean": Boolean(),
        "text": Text(),
        "json": JSON(),
    }
    columns = {
        k: pd.Series([(f.get("properties") or {}).get(k) for f in features], dtype=object)
        for k in keys
    }
    geoms = [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None for f in features]
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(features), name="geo_fid"))
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=4326)
    gdf = gdf.rename_geometry("geom")
    dtype = {k: sa_types[codec.column_type(list(columns[k]))] for k in keys}
    dtype["geom"] = Geometry(srid=4326, spatial_index=True)
    where = {"schema": LAYERS_SCHEMA, "index": True, "index_label": "geo_fid"}
    if gdf.geometry.notna().any():
        gdf.to_postgis(layer_id, sa_conn, dtype=dtype, **where)
    else:  # every feature names a place (geopandas writes no geometry column alone)
        dtype.pop("geom")
        pd.DataFrame(gdf.drop(columns="geom")).to_sql(layer_id, sa_conn, dtype=dtype, **where)
        sql = _sql()
        sa_conn.connection.driver_connection.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN geom geometry({}, 4326)").format(
                sql.Identifier(LAYERS_SCHEMA, layer_id),
                sql.SQL(_COLUMN_TYPES.get(str(geometry_type), "Geometry")),
            )
        )
    _finish_layer_table(sa_conn.connection.driver_connection, layer_id, application)
    head = {k: v for k, v in doc.items() if k != "features"}
    _put_file(sa_conn.connection.driver_connection, rel, "layer", layer_id, head, data)
    return len(features)


def _finish_layer_table(conn: Any, layer_id: str, application: str) -> None:
    """Add the key, the version columns and (when missing) the GiST index."""
    sql = _sql()
    table = sql.Identifier(LAYERS_SCHEMA, layer_id)
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ADD PRIMARY KEY (geo_fid), "
            "ADD COLUMN geo_version integer NOT NULL DEFAULT 1, "
            "ADD COLUMN geo_edited_by text DEFAULT {}, "
            "ADD COLUMN geo_edited_at timestamptz NOT NULL DEFAULT now()"
        ).format(table, sql.Literal(application))
    )
    _versioned(conn, table)
    has_gist = conn.execute(
        "SELECT 1 FROM pg_indexes WHERE schemaname = %s AND tablename = %s "
        "AND indexdef ILIKE '%%USING gist%%'",
        (LAYERS_SCHEMA, layer_id),
    ).fetchone()
    if has_gist is None:
        conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(table))


def _seal(conn: Any, only: str | None = None) -> None:
    """Record, for every file kept as rows (or ``only`` one), the digest of its rows."""
    for rel, text in _rendered(conn, only=only):
        conn.execute(
            "UPDATE geo.files SET rows_digest = %s WHERE path = %s", (codec.digest(text), rel)
        )


def rendered_file(conn: Any, rel: str) -> str:
    """Return one file kept as rows, written from its rows (``""`` if none).

    Parameters
    ----------
    conn
        A psycopg connection.
    rel
        The file's path in the folder.

    Returns
    -------
    str
    """
    return next((text for _, text in _rendered(conn, only=rel)), "")


def seal_file(conn: Any, rel: str) -> None:
    """Record the digest of one file's rows as read back (after an edit wrote them).

    Parameters
    ----------
    conn
        A psycopg connection in the edit's transaction.
    rel
        The file's path in the folder.
    """
    _seal(conn, rel)


# --------------------------------------------------------------------------- pull
@dataclass
class PullResult:
    """What a pull read.

    Attributes
    ----------
    files
        Each file's path in the folder to its bytes.
    edited
        The files whose rows changed since the push (written from the rows).
    versions
        ``table -> key -> version`` of every row read (``gazetteer`` by ``name_zh``,
        ``claims`` by ``claim_id``: the first column; ``catalog`` and each
        ``layer:<id>`` by id).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    edited: list[str] = field(default_factory=list)
    versions: dict[str, dict[str, int]] = field(default_factory=dict)


def _catalog_rows(conn: Any) -> list[tuple[str, Any, int]]:
    return [
        (str(lid), entry, int(v))
        for lid, entry, v in conn.execute(
            "SELECT layer_id, entry, geo_version FROM geo.catalog ORDER BY geo_row"
        ).fetchall()
    ]


def _csv_table(conn: Any, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    sql = _sql()
    cur = conn.execute(
        sql.SQL("SELECT * FROM {} ORDER BY geo_row").format(sql.Identifier(META_SCHEMA, table))
    )
    names = [d.name for d in cur.description]
    return names, cur.fetchall()


def _layer_features(conn: Any, layer_id: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Return a layer table's features (file order) and each feature's version by id."""
    import shapely

    sql = _sql()
    cur = conn.execute(
        sql.SQL("SELECT *, ST_AsBinary(geom) AS geo_wkb FROM {} ORDER BY geo_fid").format(
            sql.Identifier(LAYERS_SCHEMA, layer_id)
        )
    )
    names = [d.name for d in cur.description]
    props = [n for n in names if n not in ROW_COLUMNS and n != "geo_wkb"]
    features, versions = [], {}
    for row in cur.fetchall():
        cells = dict(zip(names, row, strict=True))
        wkb = cells["geo_wkb"]
        geom = shapely.geometry.mapping(shapely.from_wkb(bytes(wkb))) if wkb is not None else None
        p = {k: cells[k] for k in props}
        features.append({"type": "Feature", "properties": p, "geometry": _lists(geom)})
        versions[str(p.get("id", cells["geo_fid"]))] = int(cells["geo_version"])
    return features, versions


def _lists(value: Any) -> Any:
    """Return a GeoJSON mapping with tuples as lists (as json writes them)."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _rendered(
    conn: Any, versions: dict[str, dict[str, int]] | None = None, only: str | None = None
) -> list[tuple[str, str]]:
    """Return each file kept as rows (or ``only`` one), as text written from its rows."""
    out = []
    cat_rows = _catalog_rows(conn)
    if versions is not None:
        versions["catalog"] = {lid: v for lid, _, v in cat_rows}
    for rel, role, source, head in conn.execute(
        "SELECT path, role, source, head FROM geo.files WHERE role <> 'file' "
        "AND (%s::text IS NULL OR path = %s) ORDER BY path",
        (only, only),
    ).fetchall():
        if role == "catalog":
            out.append((rel, codec.catalog_text(head or {}, [e for _, e, _ in cat_rows])))
        elif role == "table":
            names, rows = _csv_table(conn, source)
            header = [n for n in names if n not in ROW_COLUMNS]
            at = [names.index(h) for h in header]
            out.append((rel, codec.csv_text(header, [[r[i] for i in at] for r in rows])))
            if versions is not None and header:  # rows keyed by the first column
                key, ver = names.index(header[0]), names.index("geo_version")
                versions[source] = {str(r[key]): int(r[ver]) for r in rows}
        else:
            features, kept = _layer_features(conn, source)
            out.append((rel, codec.geojson_text(head or {}, features)))
            if versions is not None:
                versions[f"layer:{source}"] = kept
    return out


def _added_layers(conn: Any, known: set[str]) -> list[tuple[str, str]]:
    """Return (file, text) of layers in the catalog whose table has no file yet."""
    out = []
    for lid, entry, _ in _catalog_rows(conn):
        rel = str(entry.get("file") or "")
        exists = conn.execute(
            "SELECT to_regclass(format('%%I.%%I', %s::text, %s::text))", (LAYERS_SCHEMA, lid)
        ).fetchone()
        if rel and rel not in known and exists and exists[0] is not None:
            features, _ = _layer_features(conn, lid)
            head = {"type": "FeatureCollection", "name": lid}
            out.append((rel, codec.geojson_text(head, features)))
    return out


def read_folder(dsn: str, application: str = "geo db pull") -> PullResult:
    """Read the whole project in one consistent snapshot (a read-only transaction).

    Parameters
    ----------
    dsn
        The database.
    application
        The connection's name.

    Returns
    -------
    PullResult
    """
    result = PullResult()
    with transaction(dsn, application, "pull") as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        _require_schema(conn, dsn)
        stored = {
            rel: (bytes(body), d)
            for rel, body, d in conn.execute(
                "SELECT path, body, rows_digest FROM geo.files ORDER BY path"
            ).fetchall()
        }
        rendered = dict(_rendered(conn, result.versions))
        for rel, (body, kept) in stored.items():
            text = rendered.get(rel)
            if text is None or codec.digest(text) == kept:
                result.files[rel] = body
            else:
                result.files[rel] = text.encode("utf-8")
                result.edited.append(rel)
        for rel, text in _added_layers(conn, set(stored)):
            result.files[rel] = text.encode("utf-8")
            result.edited.append(rel)
    return result
