r"""Data files as rows and rows as data files: the text a pulled folder is written in.

A GeoJSON layer becomes features (properties, geometry); ``gazetteer.csv`` and
``claims.csv`` become rows of text cells; ``catalog.yaml`` its layer entries. The
reverse writes each in the folder's own style: a FeatureCollection with one feature
a line (as the packaged layers are written), CSV with ``\\n`` line ends, the catalog
as YAML. A file left unchanged in the database is written back byte for byte (the
store keeps its bytes and the digest of its rows, :mod:`geo.db.store`); these
writers serve the files edited there.

>>> rows = csv_rows("name,lon\nA,1.5\n")
>>> rows
(['name', 'lon'], [['A', '1.5']])
>>> csv_text(*rows)
'name,lon\nA,1.5\n'
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "COLUMN_TYPES",
    "catalog_text",
    "column_type",
    "csv_rows",
    "csv_text",
    "digest",
    "geojson_text",
]

#: SQL column type by the Python type of every value of a property.
COLUMN_TYPES = {bool: "boolean", int: "bigint", float: "double precision", str: "text"}


def column_type(values: Sequence[Any]) -> str:
    """Return the SQL type of a property from its values (``json`` when they mix).

    Parameters
    ----------
    values
        The property's values over the features (``None`` where absent).

    Returns
    -------
    str

    >>> column_type([1, None, 2]), column_type([1, 2.5]), column_type([["a"], None])
    ('bigint', 'json', 'json')
    """
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "text"
    if len(kinds) == 1 and next(iter(kinds)) in COLUMN_TYPES:
        return COLUMN_TYPES[next(iter(kinds))]
    return "json"


def csv_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Return a CSV text's header and rows (cells as text).

    Parameters
    ----------
    text
        The file's text.

    Returns
    -------
    tuple of (list of str, list of list of str)
    """
    rows = list(csv.reader(io.StringIO(text)))
    return (rows[0] if rows else []), rows[1:]


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str | None]]) -> str:
    r"""Return CSV text: the header, then the rows, ``\\n`` line ends, minimal quoting.

    Parameters
    ----------
    header
        Column names.
    rows
        Cells; ``None`` is written empty.

    Returns
    -------
    str
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if c is None else c for c in r] for r in rows])
    return out.getvalue()


def geojson_text(head: Mapping[str, Any], features: Sequence[Mapping[str, Any]]) -> str:
    """Return a FeatureCollection with one feature a line.

    Parameters
    ----------
    head
        The collection's members other than ``features`` (``type``, ``name`` ...).
    features
        GeoJSON features.

    Returns
    -------
    str

    >>> print(geojson_text({"type": "FeatureCollection", "name": "x"}, [{"type": "Feature"}]))
    {"type": "FeatureCollection", "name": "x", "features": [
    {"type": "Feature"}
    ]}
    <BLANKLINE>
    """
    top = json.dumps(dict(head), ensure_ascii=False)[:-1]
    top += (", " if head else "") + '"features": [\n'
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    return top + body + "\n]}\n"


def catalog_text(top: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> str:
    """Return ``catalog.yaml`` from its top-level keys and layer entries.

    Parameters
    ----------
    top
        The catalog's keys other than ``layers`` (``version`` ...).
    entries
        The layer entries, in order.

    Returns
    -------
    str
    """
    import yaml

    data = {**dict(top), "layers": [dict(e) for e in entries]}
    head = "# The layer catalog (written from a PostGIS store; docs/contract.md has the format).\n"
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def digest(text: str) -> str:
    """Return the SHA-256 of a text (its UTF-8 bytes), in hex.

    Parameters
    ----------
    text
        The text.

    Returns
    -------
    str
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
