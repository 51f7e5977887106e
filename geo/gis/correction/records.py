"""What a correction is, what it changed, and what it changes downstream."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

__all__ = [
    "Correction",
    "Downstream",
    "FixResult",
    "RowChange",
    "State",
    "datum_cell",
]


BACKUP_DIR = ".backup"
#: Derived-zone area changes smaller than this are not reported (km²).
AREA_CHANGE_KM2 = 0.005
_ANCHOR_ACC = re.compile(r"anchor accuracy (\d+(?:\.\d+)?) m")
_APPROXIMATE = "APPROXIMATE"


@dataclass(frozen=True)
class Correction:
    """A new position for one gazetteer place.

    Attributes
    ----------
    place
        The place's ``name_zh``.
    lon, lat
        WGS-84 position in degrees.
    source_datum
        The datum the position was supplied in: ``wgs84``, ``gcj02`` or ``bd09``
        (see :func:`datum_cell`).
    source
        Citation of the position: file, provider, row, date.
    accuracy_m
        The position's ``accuracy_m``.
    """

    place: str
    lon: float
    lat: float
    source_datum: str
    source: str
    accuracy_m: float


@dataclass(frozen=True)
class RowChange:
    """One gazetteer row changed: its name, the cells before and after."""

    place: str
    before: Mapping[str, str]
    after: Mapping[str, str]
    follows: str = ""

    def __str__(self) -> str:
        why = f" (anchored at {self.follows})" if self.follows else ""
        return (
            f"{self.place}{why}: {self.before['lon']}, {self.before['lat']} "
            f"± {self.before['accuracy_m']} m -> {self.after['lon']}, {self.after['lat']} "
            f"± {self.after['accuracy_m']} m"
        )


@dataclass
class State:
    """Loaded layers and claim verdicts under one gazetteer."""

    frames: dict[str, gpd.GeoDataFrame]
    derived: frozenset[str]
    verdicts: pd.Series | None
    missing: list[str] = field(default_factory=list)


@dataclass
class Downstream:
    """What a set of corrections changes outside the gazetteer.

    Attributes
    ----------
    moved
        Layer id -> ids of features whose geometry changed (source layers).
    zones
        Derived zones whose area changed: layer id, feature id, km² before, after.
    claims
        Claims whose verdict changed: claim id, before, after.
    missing
        What could not be loaded (so was not compared).
    claims_checked
        Whether the claims' verdicts were compared (there is a ledger).
    """

    moved: dict[str, list[str]] = field(default_factory=dict)
    zones: list[tuple[str, str, float, float]] = field(default_factory=list)
    claims: list[tuple[str, str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    claims_checked: bool = False

    def lines(self) -> list[str]:
        """Return a plain-language account, one line per change."""
        out = [
            f"layer {lid}: {len(ids)} feature(s) moved ({', '.join(ids)})"
            for lid, ids in self.moved.items()
        ]
        out += [f"{fid} area {a:.2f} → {b:.2f} km² ({lid})" for lid, fid, a, b in self.zones]
        if self.claims_checked:
            out.append(f"{len(self.claims)} claim(s) changed verdict")
            out += [f"  {cid}: {a} → {b}" for cid, a, b in self.claims]
        out += [f"not compared: {m}" for m in self.missing]
        return out


@dataclass
class FixResult:
    """What :func:`fix_positions` did (or would do, with ``dry_run``)."""

    path: Path
    changes: list[RowChange]
    downstream: Downstream
    backup: Path | None = None
    written: bool = False


def datum_cell(crs: str) -> str:
    """Return the ``source_datum`` cell for a position supplied in ``crs``.

    Parameters
    ----------
    crs
        ``wgs84``, ``gcj02``, ``bd09`` or a projected ``EPSG:<code>``.

    Returns
    -------
    str
        The lon/lat datum; a projected CRS of China (CGCS2000 Gauss-Krüger) or of
        WGS-84 records ``wgs84``, as CGCS2000 and WGS-84 differ by centimetres here.
    """
    return crs if crs in ("wgs84", "gcj02", "bd09") else "wgs84"
