"""The incremental build's bookkeeping: keys of inputs, a manifest of outputs.

A *unit* of the site build (one figure page, one print, the claims report ...)
writes a few files. Its **key** is a hash of exactly what it reads: the content of
the layers it looked up, the data files it read, the code version (a hash of every
source file of the :mod:`geo` package), the versions of the libraries that shape
its output, and its settings. The manifest (``.build-manifest.json`` in the output
folder) records, per unit, the key, the layers it looked up and a hash of each file
it wrote. A unit whose key is unchanged and whose files still have the recorded
hashes is reused; a file edited or deleted by hand, or any changed input, makes it
build again.

Which layers a unit reads is found while it runs: the layers are handed to it in a
:class:`Recording` mapping, which notes every id looked up (or all of them, when
the unit iterates). A later run computes the key from the same ids, so a layer the
unit never looked at does not make it build again.

A manifest that cannot be read (missing, broken, nested too deeply, over
:data:`MAX_MANIFEST_BYTES`, of another layout) counts as absent: everything builds,
and a broken one is reported in one note.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._errors import BuildManifestWarning, OutputFolderError
from geo._io import atomic_write_text

if TYPE_CHECKING:  # the digests of files and keys are wanted without loading geopandas
    import geopandas as gpd

__all__ = [
    "MANIFEST_NAME",
    "Manifest",
    "Recording",
    "code_version",
    "digest_of",
    "file_digest",
    "file_digests",
    "frame_digest",
    "key_of",
    "library_versions",
]

#: The manifest's file name inside the output folder.
MANIFEST_NAME = ".build-manifest.json"
#: Bump when the manifest's layout changes: an old manifest then counts as empty.
MANIFEST_VERSION = 1
#: A manifest larger than this is not read (the site's is about 100 kB).
MAX_MANIFEST_BYTES = 20_000_000
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
    path : Path
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
    root : Path
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
    digests : mapping of str to str
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
    gdf : geopandas.GeoDataFrame
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
    return digest_of(file_digests(Path(__file__).resolve().parent))


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


# --------------------------------------------------------------------------- recording
class Recording(Mapping[str, Any]):
    """A read-only mapping that notes which keys were looked up.

    ``layers[id]``, ``id in layers`` and ``layers.get(id)`` note that id; iterating,
    ``len`` or ``dict(layers)`` note every id, as the result then depends on all.

    Parameters
    ----------
    data : Mapping
        The layers by id.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        self.seen: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.seen.add(key)
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self.seen.update(self._data)
        self.seen.add("*")  # the set of ids itself was read
        return iter(self._data)

    def __len__(self) -> int:
        self.seen.update(self._data)
        self.seen.add("*")
        return len(self._data)


def layer_digests(ids: Iterable[str], digests: Mapping[str, str]) -> dict[str, str]:
    """Return the content hash of each id (``*`` stands for the set of ids present).

    Parameters
    ----------
    ids : iterable of str
        Ids a unit looked up.
    digests : Mapping of str to str
        Hash of every loaded layer.

    Returns
    -------
    dict of str to str
    """
    out = {}
    for lid in sorted(set(ids)):
        out[lid] = key_of(sorted(digests)) if lid == "*" else digests.get(lid, ABSENT)
    return out


# --------------------------------------------------------------------------- manifest
def _outputs(value: Any) -> dict[str, str]:
    """Return the recorded files of a unit (relative path to SHA-256) as text."""
    if not isinstance(value, dict):
        raise TypeError("outputs is not an object")
    return {str(k): str(v) for k, v in value.items()}


@dataclass
class Entry:
    """What the manifest knows of one unit.

    Attributes
    ----------
    key : str
        Hash of its inputs.
    layers : list of str
        Layer ids it looked up.
    outputs : dict of str to str
        Output path (relative to the output folder) to the SHA-256 of its bytes.
    """

    key: str
    layers: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


class Manifest:
    """The record of every unit built into one output folder.

    Parameters
    ----------
    root : Path
        The output folder; the manifest is ``root / MANIFEST_NAME``.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / MANIFEST_NAME
        self.entries: dict[str, Entry] = self._read()

    def _read(self) -> dict[str, Entry]:
        try:
            if self.path.stat().st_size > MAX_MANIFEST_BYTES:
                raise ValueError(f"over {MAX_MANIFEST_BYTES:,} bytes")
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("version") != MANIFEST_VERSION:
                return {}
            return {
                str(name): Entry(
                    str(e["key"]), [str(x) for x in e["layers"]], _outputs(e["outputs"])
                )
                for name, e in doc["units"].items()
            }
        except FileNotFoundError:
            return {}  # a first build
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
            warnings.warn(
                f"{self.path}: unreadable build manifest ({reason}); building everything "
                "again, and the manifest is rewritten",
                BuildManifestWarning,
                stacklevel=3,
            )
            return {}

    def layers_of(self, unit: str) -> list[str] | None:
        """Return the layer ids a unit looked up when it was last built, if known."""
        entry = self.entries.get(unit)
        return None if entry is None else entry.layers

    def fresh(self, unit: str, key: str) -> bool:
        """Return whether ``unit`` was built with ``key`` and its files are intact.

        Parameters
        ----------
        unit : str
            The unit's name.
        key : str
            The hash of its inputs now.

        Returns
        -------
        bool
        """
        entry = self.entries.get(unit)
        if entry is None or entry.key != key or not entry.outputs:
            return False
        return all(file_digest(self.root / rel) == h for rel, h in entry.outputs.items())

    def record(
        self, unit: str, key: str, outputs: Iterable[Path], layers: Iterable[str] = ()
    ) -> None:
        """Note that ``unit`` was built with ``key`` and wrote ``outputs``.

        Parameters
        ----------
        unit : str
            The unit's name.
        key : str
            The hash of its inputs.
        outputs : iterable of Path
            The files it wrote (inside the output folder).
        layers : iterable of str
            The layer ids it looked up.
        """
        hashes = {}
        root = self.root.resolve()
        for p in outputs:
            real = Path(p).resolve()
            if not real.is_relative_to(root):
                raise OutputFolderError(
                    f"{p}: written outside the site folder {self.root} (through a symbolic "
                    "link); remove the link or choose another output folder"
                )
            rel = real.relative_to(root).as_posix()
            hashes[rel] = file_digest(Path(p)) or ""
        self.entries[unit] = Entry(key, sorted(set(layers)), hashes)

    def forget(self, unit: str) -> None:
        """Drop a unit, so it builds next time."""
        self.entries.pop(unit, None)

    def save(self) -> Path:
        """Write the manifest atomically.

        Returns
        -------
        Path
        """
        doc = {
            "version": MANIFEST_VERSION,
            "units": {
                name: {"key": e.key, "layers": e.layers, "outputs": e.outputs}
                for name, e in sorted(self.entries.items())
            },
        }
        return atomic_write_text(self.path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
