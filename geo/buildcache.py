"""The incremental build's bookkeeping: keys of inputs, a manifest of outputs.

A *unit* of the site build (one figure page, one print, the claims report ...)
writes a few files. Its **key** is a hash of exactly what it reads: the content of
the layers it looked up, the catalog fields and gazetteer places it read, the data
files it read whole, the code version (a hash of every
source file of the :mod:`geo` package), the versions of the libraries that shape
its output, and its settings. The manifest (``.build-manifest.json`` in the output
folder) records, per unit, the key, what it read and a hash of each file
it wrote. A unit whose key is unchanged and whose files still have the recorded
hashes is reused; a file edited or deleted by hand, or any changed input, makes it
build again.

What a unit reads is found while it runs (:class:`Reads`): the layers are handed
to it in a :class:`Recording` mapping, which notes every id looked up (or all of
them, when the unit iterates); the catalog in a copy that notes each field of each
entry read (``catalog:<id>.<field>``: a legend reads a title, a style its style key);
the gazetteer in a copy that notes each place looked up (``place:<name>``; all of
them, ``place:*``, when the unit iterates). A point layer's positions come from the
gazetteer when it loads, so its content hash already follows the places its
features name. A later run computes the key from the same reads, so a layer, an
entry field or a place the unit never looked at does not make it build again.

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
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._errors import BuildManifestWarning, ManifestError, OutputFolderError
from geo._io import atomic_write_text
from geo.catalog import Catalog, LayerSpec
from geo.gazetteer import Gazetteer, Place

if TYPE_CHECKING:  # the digests of files and keys are wanted without loading geopandas
    import geopandas as gpd

__all__ = [
    "MANIFEST_NAME",
    "Manifest",
    "Reads",
    "Recording",
    "code_version",
    "digest_of",
    "file_digest",
    "file_digests",
    "frame_digest",
    "key_of",
    "library_versions",
    "read_digests",
]

#: The manifest's file name inside the output folder.
MANIFEST_NAME = ".build-manifest.json"
#: Bump when the manifest's layout changes: an old manifest then counts as empty.
MANIFEST_VERSION = 2
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


#: Prefix of a catalog read: ``catalog:<layer id>.<field>``.
CATALOG_READ = "catalog:"
#: Prefix of a gazetteer read: ``place:<name>`` (``place:*``: the whole gazetteer).
PLACE_READ = "place:"
_SPEC_FIELDS = frozenset(f.name for f in fields(LayerSpec)) - {"id"}


class _ReadSpec(LayerSpec):
    """A catalog entry that notes each of its fields read (its id excepted)."""

    def __getattribute__(self, name: str) -> Any:
        if name in _SPEC_FIELDS:
            lid = object.__getattribute__(self, "id")
            object.__getattribute__(self, "_noted").add(f"{CATALOG_READ}{lid}.{name}")
        return object.__getattribute__(self, name)


def _read_spec(spec: LayerSpec, noted: set[str]) -> LayerSpec:
    copy = object.__new__(_ReadSpec)
    for name, value in vars(spec).items():
        object.__setattr__(copy, name, value)
    object.__setattr__(copy, "_noted", noted)
    return copy


class _ReadGazetteer(Gazetteer):
    """The same gazetteer, noting each place looked up (all of them when iterated)."""

    def __init__(self, base: Gazetteer, noted: set[str]) -> None:
        self.__dict__.update(vars(base))
        self._noted = noted

    def _note(self, name: object) -> None:
        self._noted.add(f"{PLACE_READ}{name}")

    def __contains__(self, name: object) -> bool:
        self._note(name)
        return super().__contains__(name)

    def get(self, name: str) -> Place | None:
        self._note(name)
        return super().get(name)

    def __iter__(self) -> Iterator[Place]:
        self._note("*")
        return super().__iter__()

    def __len__(self) -> int:
        self._note("*")
        return super().__len__()

    @property
    def places(self) -> tuple[Place, ...]:
        self._note("*")
        return tuple(self._places)

    def names(self) -> list[str]:
        self._note("*")
        return super().names()

    def to_frame(self) -> Any:
        self._note("*")
        return super().to_frame()

    def validate(self, zones: Any = None) -> list[str]:
        self._note("*")
        return super().validate(zones)

    def within_problems(self, zones: Any) -> list[str]:
        self._note("*")
        return super().within_problems(zones)


class Reads:
    """What one unit reads: layers, catalog entry fields and gazetteer places.

    Hand the unit :attr:`layers`, :attr:`catalog` and :attr:`gazetteer` instead of
    the originals; :meth:`seen` then lists what it read.

    Parameters
    ----------
    layers : Mapping
        The layers by id.
    catalog : Catalog
        The catalog.
    gazetteer : Gazetteer, optional
        The gazetteer.
    """

    def __init__(
        self, layers: Mapping[str, Any], catalog: Catalog, gazetteer: Gazetteer | None = None
    ) -> None:
        self._noted: set[str] = set()
        self.layers = Recording(layers)
        entries = {lid: _read_spec(spec, self._noted) for lid, spec in catalog.layers.items()}
        self.catalog = Catalog(entries, catalog.folder)
        self.gazetteer = None if gazetteer is None else _ReadGazetteer(gazetteer, self._noted)

    def seen(self) -> set[str]:
        """Return the layer ids, ``catalog:<id>.<field>`` and ``place:<name>`` read."""
        return self.layers.seen | self._noted

    def note(self, reads: Iterable[str]) -> None:
        """Note what another unit read to compute a result this one shares.

        Parameters
        ----------
        reads : iterable of str
            As :meth:`seen` returned it there.
        """
        for read in reads:
            prefixed = read.startswith((CATALOG_READ, PLACE_READ))
            (self._noted if prefixed else self.layers.seen).add(read)


def _value_digest(value: Any) -> str:
    return key_of(repr(value))


def read_digests(
    reads: Iterable[str],
    digests: Mapping[str, str],
    catalog: Catalog | None = None,
    gazetteer: Gazetteer | None = None,
    gazetteer_digest: str = "",
) -> dict[str, str]:
    """Return the hash of each thing a unit read (see :class:`Reads`).

    A layer id stands for its content hash (``*``: the set of ids present); a catalog
    read for that field's value; a place for the place it resolves to (``place:*``:
    ``gazetteer_digest``, the whole file). What is not there is :data:`ABSENT`.

    Parameters
    ----------
    reads : iterable of str
        What a unit read.
    digests : Mapping of str to str
        Hash of every loaded layer.
    catalog : Catalog, optional
        The catalog now.
    gazetteer : Gazetteer, optional
        The gazetteer now.
    gazetteer_digest : str
        Hash of the gazetteer file.

    Returns
    -------
    dict of str to str
    """
    out = {}
    for read in sorted(set(reads)):
        if read.startswith(CATALOG_READ):
            lid, _, name = read[len(CATALOG_READ) :].rpartition(".")
            found = catalog is not None and lid in catalog.layers
            out[read] = _value_digest(getattr(catalog[lid], name)) if found else ABSENT
        elif read == f"{PLACE_READ}*":
            out[read] = gazetteer_digest
        elif read.startswith(PLACE_READ):
            place = None if gazetteer is None else gazetteer.get(read[len(PLACE_READ) :])
            out[read] = ABSENT if place is None else _value_digest(place)
        elif read == "*":
            out[read] = key_of(sorted(digests))
        else:
            out[read] = digests.get(read, ABSENT)
    return out


# --------------------------------------------------------------------------- manifest
def _outputs(value: Any) -> dict[str, str]:
    """Return the recorded files of a unit (relative path to SHA-256) as text."""
    if not isinstance(value, dict):
        raise ManifestError("outputs is not an object")
    return {str(k): str(v) for k, v in value.items()}


@dataclass
class Entry:
    """What the manifest knows of one unit.

    Attributes
    ----------
    key : str
        Hash of its inputs.
    reads : list of str
        What it read: layer ids, catalog fields and places (see :class:`Reads`).
    outputs : dict of str to str
        Output path (relative to the output folder) to the SHA-256 of its bytes.
    """

    key: str
    reads: list[str] = field(default_factory=list)
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
                raise ManifestError(f"over {MAX_MANIFEST_BYTES:,} bytes")
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("version") != MANIFEST_VERSION:
                return {}
            return {
                str(name): Entry(
                    str(e["key"]), [str(x) for x in e["reads"]], _outputs(e["outputs"])
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

    def reads_of(self, unit: str) -> list[str] | None:
        """Return what a unit read when it was last built, if known (see :class:`Reads`)."""
        entry = self.entries.get(unit)
        return None if entry is None else entry.reads

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
        self, unit: str, key: str, outputs: Iterable[Path], reads: Iterable[str] = ()
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
        reads : iterable of str
            What it read: layer ids, catalog fields, places.
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
        self.entries[unit] = Entry(key, sorted(set(reads)), hashes)

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
                name: {"key": e.key, "reads": e.reads, "outputs": e.outputs}
                for name, e in sorted(self.entries.items())
            },
        }
        return atomic_write_text(self.path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
