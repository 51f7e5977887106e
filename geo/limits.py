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

import math
import sys
import time
from typing import TextIO

#: Largest input file read by ``geo add-layer``, ``geo validate`` and the measures
#: (for a shapefile, the .shp and .dbf together).
MAX_INPUT_BYTES = 50 * 1024 * 1024
#: Most features in one layer, for ``geo add-layer`` and for one layer of a map.
MAX_FEATURES = 10_000
#: A layer of points only with more features than this is checked column by column
#: and stored as GeoParquet (``layers/<id>.parquet``, about 30 bytes a point) instead
#: of GeoJSON (about 260 bytes a point, parsed one feature at a time).
COMPACT_POINTS_ABOVE = MAX_FEATURES
#: Most features in a layer of points only (an enterprise registry): a figure draws
#: such a layer above its ``dense_points_above`` on one canvas (about 15 bytes a
#: point), not one marker each. Such a layer is stored as GeoParquet
#: (:data:`COMPACT_POINTS_ABOVE`), so a million points make a file of about 31 MB,
#: under :data:`MAX_INPUT_BYTES`, added from a CSV of about 34 MB in about 20 s and
#: 1.6 GB, read back in about 6 s, and drawn on a figure page of about 22 MB.
#: Beyond it the page and the memory grow past what a browser and a laptop take well:
#: split such a registry by district or industry.
MAX_POINT_FEATURES = 1_000_000
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
    n
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
    label
        What is being read (a file name).
    total
        Number of steps expected.
    stream
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


def layer_size_problem(features: int, vertices: int, points: bool = False) -> str | None:
    """Say which per-layer limit a layer of this size breaks, if any.

    Parameters
    ----------
    features
        Number of features.
    vertices
        Number of coordinate positions.
    points
        The layer holds points only: up to :data:`MAX_POINT_FEATURES` features and as
        many positions.

    Returns
    -------
    str or None
        The problem, naming the limit; None when the layer is within both.
    """
    if points:
        most = max(features, vertices)
        if most > MAX_POINT_FEATURES:
            return f"{most:,} points, more than the limit of {MAX_POINT_FEATURES:,} per point layer"
        return None
    if features > MAX_FEATURES:
        return f"{features:,} features, more than the limit of {MAX_FEATURES:,} per layer"
    if vertices > MAX_VERTICES:
        return f"{vertices:,} vertices, more than the limit of {MAX_VERTICES:,} per layer"
    return None


# --------------------------------------------------------------------------- numbers in range
#: Smallest and largest positional error (``accuracy_m``) a feature, a place or an
#: option may give, in metres: nothing here is surveyed to the millimetre, and an
#: error wider than 50 km is no position in a district of 30 km.
MIN_ACCURACY_M = 1.0
MAX_ACCURACY_M = 50_000.0
#: Web-map zoom levels a hand-placed point may give (the ``zoom`` column).
MIN_ZOOM = 0.0
MAX_ZOOM = 20.0

ACCURACY_FIX = (
    f"give the estimated positional error in metres, from {MIN_ACCURACY_M:g} to "
    f"{MAX_ACCURACY_M:,.0f}, e.g. 50"
)
ZOOM_FIX = f"give the web-map zoom level the point was placed at, {MIN_ZOOM:g} to {MAX_ZOOM:g}"


def _number(value: object) -> float | None:
    """Return ``value`` as a float, or None when it is no number (text, None, a bool)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def range_problem(name: str, value: object, low: float, high: float, unit: str = "") -> str | None:
    """Say why a value is not a finite number from ``low`` to ``high``, if it is not.

    Parameters
    ----------
    name
        What the value is (``accuracy_m``, ``zoom``, ``--accuracy-m``).
    value
        The value as given (text, number or None).
    low, high
        The allowed range, inclusive.
    unit
        Unit written after the bounds (``" m"``).

    Returns
    -------
    str or None
        E.g. ``"zoom -5 is outside 0 to 20"``; None when the value is in range.
    """
    number = _number(value)
    shown = repr(value) if number is None else f"{value!s:.12}"
    if number is None or math.isnan(number):
        return f"{name} {shown} is not a number"
    if not math.isfinite(number):
        return f"{name} {shown} is not a finite number"
    if not low <= number <= high:
        return f"{name} {shown} is outside {low:,g} to {high:,g}{unit}"
    return None


def accuracy_problem(value: object, name: str = "accuracy_m") -> str | None:
    """Say why a positional error is refused (see :data:`MIN_ACCURACY_M`), if it is.

    Parameters
    ----------
    value
        The accuracy as given, in metres.
    name
        How the value is named in the message (``--accuracy-m`` for an option).

    Returns
    -------
    str or None
    """
    return range_problem(name, value, MIN_ACCURACY_M, MAX_ACCURACY_M, " m")


def zoom_problem(value: object, name: str = "zoom") -> str | None:
    """Say why a web-map zoom level is refused (see :data:`MIN_ZOOM`), if it is.

    Parameters
    ----------
    value
        The zoom level as given.
    name
        How the value is named in the message.

    Returns
    -------
    str or None
    """
    return range_problem(name, value, MIN_ZOOM, MAX_ZOOM)


def accuracy_text(value: float) -> str:
    """Write an accuracy in metres with bounded precision: whole metres, or one decimal.

    Parameters
    ----------
    value
        A finite accuracy in metres (within :data:`MAX_ACCURACY_M`).

    Returns
    -------
    str
        ``"50"``, ``"12.5"``; never an exponent or dozens of digits.
    """
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def checked_accuracy(value: float | None, name: str = "--accuracy-m") -> float | None:
    """Return an accuracy given as an option, refusing one out of range.

    Parameters
    ----------
    value
        The option's value in metres; None (not given) passes.
    name
        The option, for the message.

    Returns
    -------
    float or None

    Raises
    ------
    ValueRangeError
        If the value is no finite number from :data:`MIN_ACCURACY_M` to
        :data:`MAX_ACCURACY_M`; the message names it and the fix, in one line.
    """
    from geo.errors import ValueRangeError

    if value is None:
        return None
    if found := accuracy_problem(value, name):
        raise ValueRangeError(f"{found} -> fix: {ACCURACY_FIX}")
    return float(value)
