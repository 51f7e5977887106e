"""Place names to points: the gazetteer behind every ``place`` reference.

``layers/gazetteer.csv`` holds each locatable place once, as a WGS-84 point with
its name variants (aliases), the source of the position and an honest positional
accuracy. A :class:`Gazetteer` is built from a DataFrame with the CSV's columns and
resolves any name or alias after normalising the spelling variants the plan and the
reports use (dash and middle-dot forms, full-width characters, stray whitespace).

Only :func:`load_gazetteer` reads the disk (and :func:`as_gazetteer`, handed a file),
and :meth:`Gazetteer.validate` when it is given no zone ids (it then reads the default
catalog's); everything else works on data in memory. There is no "current" gazetteer:
whatever resolves places is handed one, as a :class:`Gazetteer` or as its file, read
only when a place is first looked up.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo.data.names import normalize_name
from geo.errors import (
    GazetteerError,
    GazetteerFileError,
    GazetteerMissingError,
    MissingColumnsError,
)

if TYPE_CHECKING:  # tables come in already read: `geo layers` starts without pandas
    import pandas as pd

__all__ = [
    "AREA_BOX",
    "COLUMNS",
    "Gazetteer",
    "GazetteerRef",
    "Place",
    "as_gazetteer",
    "default_path",
    "load_gazetteer",
    "lookup",
]

#: Columns of ``layers/gazetteer.csv`` in file order (docs/contract.md).
COLUMNS: tuple[str, ...] = (
    "name_zh",
    "name_en",
    "aliases",
    "kind",
    "lon",
    "lat",
    "source_datum",
    "source",
    "accuracy_m",
    "note",
    "within",
)

#: Box in which every gazetteer point must lie: Shapingba and its near surroundings,
#: as (min_lon, min_lat, max_lon, max_lat) in WGS-84 degrees.
AREA_BOX: tuple[float, float, float, float] = (106.2, 29.45, 106.5, 29.8)


@dataclass(frozen=True)
class Place:
    """One gazetteer place.

    Attributes
    ----------
    name_zh
        Chinese name, as the plan writes it.
    name_en
        English name.
    lon, lat
        WGS-84 position in degrees.
    kind
        Category (``university-campus``, ``station``, ``town`` ...).
    source
        Where the position comes from.
    accuracy_m
        Estimated positional error in metres.
    aliases
        Other names the documents use for the place.
    approximate
        True for a place placed by a stated relation to another ("anchored"), whose
        note starts with ``APPROXIMATE``: its point is schematic, not located.
    within
        The named area the place is known to lie in (a gazetteer place or zone),
        used when its own position is too coarse to draw (:mod:`geo.data.placement`);
        empty when nothing narrower than the district is known.
    """

    name_zh: str
    name_en: str
    lon: float
    lat: float
    kind: str
    source: str
    accuracy_m: float
    aliases: tuple[str, ...] = ()
    approximate: bool = False
    within: str = ""

    @property
    def geometry_source(self) -> str:
        """``schematic`` for an anchored place, ``digitized`` for a located one."""
        return "schematic" if self.approximate else "digitized"

    @property
    def names(self) -> tuple[str, ...]:
        """All names of the place: Chinese, English, then the aliases."""
        return (self.name_zh, self.name_en, *self.aliases)


def _split_aliases(value: object) -> tuple[str, ...]:
    """Split the ``aliases`` cell (``|``-separated) into clean names."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    return tuple(part.strip() for part in str(value).split("|") if part.strip())


def _text(value: object) -> str:
    """Return a cell as stripped text; missing cells become ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: object) -> float:
    """Return a cell as a float; unparsable or missing cells become NaN."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


class Gazetteer:
    """Resolve place names and aliases to WGS-84 points.

    Parameters
    ----------
    table
        Rows with the columns of :data:`COLUMNS` (``note`` and ``source_datum`` may be
        absent). ``lon``/``lat`` must already be WGS-84.

    Raises
    ------
    MissingColumnsError
        If a required column is missing (a ``ValueError``).

    Notes
    -----
    Duplicate names are not an error at construction (so that :meth:`validate` can
    report all of them at once); the first row holding a name wins the lookup.
    """

    _REQUIRED = ("name_zh", "name_en", "aliases", "kind", "lon", "lat", "source", "accuracy_m")

    def __init__(self, table: pd.DataFrame) -> None:
        missing = [c for c in self._REQUIRED if c not in table.columns]
        if missing:
            raise MissingColumnsError(
                f"gazetteer table lacks column(s) {', '.join(missing)}; "
                f"fix: give it the columns {', '.join(COLUMNS)}"
            )
        self._table = table.reset_index(drop=True).copy()
        self._places: list[Place] = []
        self._index: dict[str, int] = {}
        for row in self._table.itertuples(index=False):
            place = Place(
                name_zh=_text(row.name_zh),
                name_en=_text(row.name_en),
                lon=_number(row.lon),
                lat=_number(row.lat),
                kind=_text(row.kind),
                source=_text(row.source),
                accuracy_m=_number(row.accuracy_m),
                aliases=_split_aliases(row.aliases),
                approximate=_text(getattr(row, "note", "")).startswith("APPROXIMATE"),
                within=_text(getattr(row, "within", "")),
            )
            position = len(self._places)
            self._places.append(place)
            for name in place.names:
                if name:
                    self._index.setdefault(normalize_name(name), position)

    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self) -> Iterator[Place]:
        return iter(self._places)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalize_name(name) in self._index

    @property
    def places(self) -> tuple[Place, ...]:
        """All places in file order."""
        return tuple(self._places)

    def names(self) -> list[str]:
        """Return every name and alias, in file order."""
        return [name for place in self._places for name in place.names if name]

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Return up to ``n`` known names closest to ``name`` (difflib ratio).

        Parameters
        ----------
        name
            A name that may be misspelt.
        n
            Maximum number of suggestions.

        Returns
        -------
        list of str
            Known names, best first; empty if nothing is similar enough.
        """
        by_key = {normalize_name(k): k for k in self.names()}
        keys = difflib.get_close_matches(normalize_name(name), list(by_key), n=n, cutoff=0.4)
        return [by_key[k] for k in keys]

    def get(self, name: str) -> Place | None:
        """Return the place whose name, English name or alias matches ``name``, or None.

        The exact match of :meth:`lookup` without its suggestions: for callers to
        whom a missing name is an expected case, not an error.

        Parameters
        ----------
        name
            Any spelling the documents use (see :func:`normalize_name`).

        Returns
        -------
        Place or None
            The matching place; None when no place has that name.
        """
        position = self._index.get(normalize_name(name))
        return None if position is None else self._places[position]

    def lookup(self, name: str) -> Place:
        """Return the place whose name, English name or alias matches ``name``.

        Parameters
        ----------
        name
            Any spelling the documents use; dash/dot variants, full-width forms and
            whitespace do not matter.

        Returns
        -------
        Place
            The matching place.

        Raises
        ------
        GazetteerError
            If no place has that name; the message names it and suggests the closest
            known names.
        """
        place = self.get(name)
        if place is not None:
            return place
        hints = self.suggest(name)
        hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
        raise GazetteerError(
            f"place {name!r} is not in the gazetteer{hint} "
            "(add it to layers/gazetteer.csv with a sourced position, or use a listed alias)"
        )

    def validate(self, zones: Collection[str] | None = None) -> list[str]:
        """Check the table and return every problem found (empty when clean).

        Checks: every name and alias unique across rows (after normalisation),
        coordinates present and inside :data:`AREA_BOX`, a non-empty source, a
        positive ``accuracy_m``, and every ``within`` drawable as an area (see
        :meth:`within_problems`).

        Parameters
        ----------
        zones
            Zone ids a ``within`` may name; default the catalog's
            (:func:`geo.data.placement.zone_ids` of ``layers/catalog.yaml``).

        Returns
        -------
        list of str
            One sentence per problem, naming the row and what to fix.
        """
        if zones is None:
            zones = _catalog_zones()
        problems: list[str] = []
        owner: dict[str, str] = {}
        min_lon, min_lat, max_lon, max_lat = AREA_BOX
        for number, place in enumerate(self._places, start=2):  # line 1 is the header
            label = f"row {number} ({place.name_zh or '?'})"
            if not place.name_zh:
                problems.append(f"{label}: empty name_zh -> give the plan's Chinese name")
            seen_here: set[str] = set()
            for name in place.names:
                if not name:
                    continue
                key = normalize_name(name)
                if key in seen_here:
                    continue
                seen_here.add(key)
                if key in owner:
                    problems.append(
                        f"{label}: name {name!r} is also used by {owner[key]} "
                        "-> every name and alias must belong to one row"
                    )
                else:
                    owner[key] = label
            if math.isnan(place.lon) or math.isnan(place.lat):
                problems.append(f"{label}: lon/lat missing or not numbers")
            elif not (min_lon <= place.lon <= max_lon and min_lat <= place.lat <= max_lat):
                problems.append(
                    f"{label}: ({place.lon}, {place.lat}) lies outside the Shapingba area "
                    f"box {AREA_BOX} -> check for swapped lon/lat or a wrong datum"
                )
            if not place.source:
                problems.append(f"{label}: no source for the position -> cite where it came from")
            if math.isnan(place.accuracy_m) or place.accuracy_m <= 0:
                problems.append(f"{label}: accuracy_m must be a positive number of metres")
        return problems + self.within_problems(zones)

    def within_problems(self, zones: Collection[str]) -> list[str]:
        """Return a problem for every ``within`` that cannot be drawn as an area.

        A ``within`` is empty (nothing narrower than the district is known), a zone
        id in ``zones`` (``city-east``), or the name of a gazetteer place of an area
        kind (:data:`geo.data.placement.AREA_KINDS`) whose ``accuracy_m`` is at most
        :data:`geo.data.placement.WITHIN_MAX_ACCURACY_M`.

        Parameters
        ----------
        zones
            Zone ids a ``within`` may name.

        Returns
        -------
        list of str
            One sentence per problem, naming the row, the value and the fix.
        """
        from geo.data.placement import AREA_KINDS, DISTRICT_NAMES, WITHIN_MAX_ACCURACY_M, is_zone_id

        problems: list[str] = []
        for number, place in enumerate(self._places, start=2):
            within = place.within.strip()
            if within.lower() in DISTRICT_NAMES:
                continue
            label = f"row {number} ({place.name_zh or '?'}): within {within!r}"
            if is_zone_id(within):
                if within not in zones:
                    known = ", ".join(sorted(zones)) or "none"
                    problems.append(
                        f"{label} is not a zone id (known zones: {known}) "
                        "-> name a zone, a gazetteer area, or leave it empty"
                    )
                continue
            if normalize_name(within) not in self._index:
                problems.append(
                    f"{label} is neither a gazetteer place nor a zone id "
                    "-> name a listed place or alias, a zone id, or leave it empty"
                )
                continue
            target = self.lookup(within)
            if target.kind not in AREA_KINDS or target.accuracy_m > WITHIN_MAX_ACCURACY_M:
                problems.append(
                    f"{label} is a {target.kind} known to ±{target.accuracy_m:g} m, not an "
                    f"area known to ±{WITHIN_MAX_ACCURACY_M:g} m -> name the area it lies in"
                )
        return problems

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the underlying table."""
        return self._table.copy()


#: What code that resolves places is handed: a gazetteer, or its file (read when a
#: place is first looked up, see :func:`as_gazetteer`); None: the default file.
GazetteerRef = Gazetteer | Path | None


def _catalog_zones() -> frozenset[str]:
    """Zone ids of the default catalog (read lazily: the catalog imports nothing here)."""
    from geo.data.catalog import read_catalog
    from geo.data.placement import zone_ids

    return frozenset(zone_ids(read_catalog()))


def default_path() -> Path:
    """Return the gazetteer file: ``gazetteer.csv`` in the layers folder.

    Returns
    -------
    pathlib.Path
        ``gazetteer.csv`` inside :func:`geo._data.layers_dir` (``$GEO_LAYERS_DIR``,
        the repository's ``layers/`` or the copy installed with the package).
    """
    from geo._data import layers_dir

    return layers_dir() / "gazetteer.csv"


#: Columns holding one-line text (line breaks become a space when read).
_ONE_LINE_COLUMNS = frozenset({"name_zh", "name_en", "aliases", "kind", "within"})


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> Gazetteer:
    """Read and parse ``path``; the mtime in the key refreshes the cache on edits."""
    del mtime_ns  # part of the cache key only
    from geo.data.intake import read_csv_table

    table = read_csv_table(
        path,
        Gazetteer._REQUIRED,
        one_line=_ONE_LINE_COLUMNS,
        dtype={"aliases": str, "note": str, "within": str},
        error=GazetteerFileError,
        what="gazetteer",
    )
    bad = _number_problems(table)
    if bad:
        problem = "; ".join(f"row {row}: {text}" for row, text in bad)
        fix = "give lon/lat as WGS-84 decimal degrees and accuracy_m in metres"
        raise GazetteerFileError(str(path), "-", problem, fix)
    return Gazetteer(table)


def _number_problems(table: pd.DataFrame) -> list[tuple[int, str]]:
    """Every row whose lon, lat or accuracy_m is not a number in range (row 1 is the header)."""
    from geo.limits import accuracy_problem

    out = []
    numbers = table.attrs.get("rows")
    numbers = range(2, len(table) + 2) if numbers is None else numbers
    for number, row in zip(numbers, table.itertuples(index=False), strict=True):
        for column in ("lon", "lat"):
            value = _number(getattr(row, column))
            if not math.isfinite(value):
                out.append((number, f"{column} {getattr(row, column)!r} is not a number"))
        found = accuracy_problem(row.accuracy_m)
        if found:
            out.append((number, found))
    return out


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load the gazetteer CSV (UTF-8); results are cached per file and mtime.

    Parameters
    ----------
    path
        The CSV to read; default :func:`default_path`.

    Returns
    -------
    Gazetteer
        The parsed gazetteer.

    Raises
    ------
    GazetteerMissingError
        If the file does not exist (a ``FileNotFoundError``); the message names it.
    GazetteerFileError
        If the file is not a readable UTF-8 CSV with the gazetteer's columns, or
        holds text the policy of :mod:`geo.data.intake` refuses (one line naming the
        file, the row and the fix).
    """
    path = Path(path) if path is not None else default_path()
    if not path.exists() and not path.is_symlink():
        raise GazetteerMissingError(
            f"{path}: gazetteer not found; fix: set GEO_LAYERS_DIR to the layers folder"
        )
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return _load_cached(path, -1)  # a dangling link: the reader names it and says so
    return _load_cached(path.resolve(), mtime)


def as_gazetteer(gazetteer: GazetteerRef) -> Gazetteer:
    """Return the gazetteer a caller was handed, reading it if it was given as a file.

    Code that resolves places takes a ``Gazetteer | Path``: a path is read here, when
    the first place is looked up, so a folder whose layers name no place never reads
    its gazetteer (and a command that looks up nothing starts without it).

    Parameters
    ----------
    gazetteer
        The gazetteer, its file, or None for the file of :func:`default_path`.

    Returns
    -------
    Gazetteer
        The same object when a :class:`Gazetteer` was given.
    """
    if isinstance(gazetteer, Gazetteer):
        return gazetteer
    return load_gazetteer(None if gazetteer is None else Path(gazetteer))


def lookup(name: str) -> Place:
    """Resolve ``name`` in the default gazetteer (see :meth:`Gazetteer.lookup`).

    Parameters
    ----------
    name
        A place name or alias.

    Returns
    -------
    Place
        The matching place.
    """
    return load_gazetteer().lookup(name)
