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

What a unit reads is found while it runs (:class:`geo.data.reads.Reads`): the layers are handed
to it in a :class:`~geo.data.reads.Recording` mapping, which notes every id looked up (or all of
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

import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._io import atomic_write_text
from geo.data.digests import file_digest
from geo.errors import BuildManifestWarning, ManifestError, OutputFolderError

if TYPE_CHECKING:  # the digests of files and keys are wanted without loading geopandas
    pass

__all__ = [
    "MANIFEST_NAME",
    "Manifest",
]

#: The manifest's file name inside the output folder.
MANIFEST_NAME = ".build-manifest.json"
#: Bump when the manifest's layout changes: an old manifest then counts as empty.
MANIFEST_VERSION = 2
#: A manifest larger than this is not read (the site's is about 100 kB).
MAX_MANIFEST_BYTES = 20_000_000


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
    key
        Hash of its inputs.
    reads
        What it read: layer ids, catalog fields and places (see :class:`Reads`).
    outputs
        Output path (relative to the output folder) to the SHA-256 of its bytes.
    """

    key: str
    reads: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


class Manifest:
    """The record of every unit built into one output folder.

    Parameters
    ----------
    root
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
        unit
            The unit's name.
        key
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
        unit
            The unit's name.
        key
            The hash of its inputs.
        outputs
            The files it wrote (inside the output folder).
        reads
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
