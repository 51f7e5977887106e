"""Digests: of files, folders, frames, the code and the libraries, and keys made of them.

The build (:mod:`geo.site.cache`) and the derived-layer cache
(:mod:`geo.data.derived_cache`) key what they keep by these digests.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._data import package_dir

if TYPE_CHECKING:  # the digests of files and keys are wanted without loading geopandas
    import geopandas as gpd

__all__ = [
    "ABSENT",
    "LIBRARIES",
    "_CHUNK",
    "_sha",
    "code_version",
    "digest_of",
    "file_digest",
    "file_digests",
    "frame_digest",
    "key_of",
    "library_versions",
]


#: Stands for a layer that was looked up but is not there.
ABSENT = "absent"


_CHUNK = 1 << 20


# --------------------------------------------------------------------------- digests
def _sha(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def file_digest(path: Path) -> str | None:
    """Return the SHA-256 of a file's bytes, or ``None`` when it is not a file.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str or None
    """
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return h.hexdigest()


def file_digests(root: Path) -> dict[str, str]:
    """Return the hash of every file under ``root``, by path relative to it.

    Hidden files and folders (the lock, the commit journal, ``.backup/``) and
    ``__pycache__`` are left out: they are not inputs.

    Parameters
    ----------
    root
        The folder (a missing folder has no files).

    Returns
    -------
    dict of str to str
        Sorted by path.
    """
    found = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        hidden = any(part.startswith(".") or part == "__pycache__" for part in rel.parts)
        if not hidden and p.is_file():
            found[rel.as_posix()] = file_digest(p) or ""
    return found


def digest_of(digests: Mapping[str, str]) -> str:
    """Return one hash of files' paths and hashes (:func:`file_digests`).

    Parameters
    ----------
    digests
        Path to file hash.

    Returns
    -------
    str
    """
    return _sha(part for rel, h in digests.items() for part in (rel.encode(), h.encode()))


def frame_digest(gdf: gpd.GeoDataFrame) -> str:
    """Return a hash of a layer's content: CRS, columns, attribute values and geometry.

    Parameters
    ----------
    gdf
        The layer.

    Returns
    -------
    str
    """
    import shapely

    geom = gdf.geometry
    attrs = gdf.drop(columns=geom.name)
    wkb = shapely.to_wkb(geom.values, hex=False, output_dimension=3)
    parts = [
        str(gdf.crs).encode(),
        json.dumps([str(c) for c in attrs.columns]).encode(),
        attrs.to_json(orient="values", default_handler=str, double_precision=15).encode(),
        *(b"" if w is None else w for w in wkb),
    ]
    return _sha(parts)


@lru_cache(maxsize=1)
def code_version() -> str:
    """Return a hash of every source and data file of the :mod:`geo` package.

    Returns
    -------
    str
    """
    return digest_of(file_digests(package_dir()))


@lru_cache(maxsize=1)
def library_versions() -> str:
    """Return the Python and library versions that shape the outputs, as one line.

    Returns
    -------
    str
    """
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return f"python={platform.python_version()} {sys.platform} " + " ".join(found)


def key_of(*parts: Any) -> str:
    """Return the hash of a unit's inputs, given as JSON-able values.

    Parameters
    ----------
    *parts
        Settings, digests and versions; their order matters.

    Returns
    -------
    str
    """
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Libraries whose versions are part of every key.
LIBRARIES: tuple[str, ...] = (
    "folium",
    "branca",
    "jinja2",
    "matplotlib",
    "geopandas",
    "shapely",
    "pyproj",
    "pandas",
    "numpy",
    "pypdf",
    "playwright",
)
