"""Size limits on inputs and layers, and a progress printer for long reads.

The numbers live here, in one place, and are documented in ``docs/contract.md``.
They keep a careless input (a whole province's parcels, a 200 MB export) from taking
minutes and gigabytes in ``geo add-layer`` and from turning into a map page of
hundreds of megabytes. The toolkit's own layers are far below them: the largest,
the neighbouring districts, holds 6 features and about 7 100 vertices.

Each limit is checked as cheaply as possible before the heavy work: the file size
before the file is read, the feature count before any feature is checked, the
vertex count before any geometry is built.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Largest input file read by ``geo add-layer``, ``geo validate`` and the measures
#: (for a shapefile, the .shp and .dbf together).
MAX_INPUT_BYTES = 50 * 1024 * 1024
#: Most features in one layer, for ``geo add-layer`` and for one layer of a map.
MAX_FEATURES = 10_000
#: Most vertices (coordinate positions) in one layer, for ``geo add-layer`` and for
#: one layer of a map.
MAX_VERTICES = 200_000
#: Deepest nesting of lists and objects inside one property value.
MAX_PROPERTY_DEPTH = 32
#: Largest data file of a layers folder (``catalog.yaml``, ``gazetteer.csv``,
#: ``claims.csv``): theirs are tens of kilobytes.
MAX_DATA_FILE_BYTES = 10 * 1024 * 1024
#: Deepest nesting of lists and objects in a JSON document. A GeoJSON layer needs
#: about 8 levels; deeper documents up to this still parse, so a property nested
#: beyond :data:`MAX_PROPERTY_DEPTH` is reported on its feature. Python's parser
#: recurses once per level and stops near 1 000.
MAX_JSON_DEPTH = 512
#: Most aliases (``*name``) a YAML file may use: each can repeat a whole subtree, so
#: n nested ones expand into up to 3 ** (n / 3) copies (the "billion laughs"); ten
#: bound that to about 40. The toolkit's catalog uses none.
MAX_YAML_ALIASES = 10
#: Most layers one catalog may list (the toolkit's own lists 26).
MAX_CATALOG_LAYERS = 1_000
#: Most rows a command prints as a text table; the rest are counted (CSV gives all).
MAX_PRINTED_ROWS = 200
#: The plan's figures are numbered 1 to 8.
FIGURE_NUMBERS = range(1, 9)

#: A progress line is printed every this many features ...
PROGRESS_EVERY = 2_000
#: ... when stderr is a terminal, or once the read has taken this many seconds.
PROGRESS_AFTER_S = 1.0

SIMPLIFY_FIX = (
    "simplify it (e.g. `ogr2ogr -simplify 5 out.gpkg in.gpkg`, tolerance in the data's "
    "units) or split it into several layers"
)


def human_bytes(n: int) -> str:
    """Return a byte count as ``12.3 MB``.

    Parameters
    ----------
    n : int
        Number of bytes.

    Returns
    -------
    str
    """
    return f"{n / 1024 / 1024:.1f} MB"


class Progress:
    """Print ``label: i/total features`` to a stream now and then during a long loop.

    Lines are printed every :data:`PROGRESS_EVERY` steps, and only when the stream
    is a terminal or the loop has already run :data:`PROGRESS_AFTER_S` seconds, so
    short reads and captured output stay quiet.

    Parameters
    ----------
    label : str
        What is being read (a file name).
    total : int
        Number of steps expected.
    stream : TextIO, optional
        Where to print; default ``sys.stderr``.
    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total = label, total
        self.stream = stream if stream is not None else sys.stderr
        self.count = 0
        self.started = time.monotonic()

    def step(self) -> None:
        """Count one step; print a line when one is due."""
        self.count += 1
        if self.count % PROGRESS_EVERY or self.count >= self.total:
            return
        if self._tty() or time.monotonic() - self.started >= PROGRESS_AFTER_S:
            print(f"{self.label}: {self.count:,}/{self.total:,} features", file=self.stream)

    def _tty(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())


def layer_size_problem(features: int, vertices: int) -> str | None:
    """Say which per-layer limit a layer of this size breaks, if any.

    Parameters
    ----------
    features : int
        Number of features.
    vertices : int
        Number of coordinate positions.

    Returns
    -------
    str or None
        The problem, naming the limit; None when the layer is within both.
    """
    if features > MAX_FEATURES:
        return f"{features:,} features, more than the limit of {MAX_FEATURES:,} per layer"
    if vertices > MAX_VERTICES:
        return f"{vertices:,} vertices, more than the limit of {MAX_VERTICES:,} per layer"
    return None
