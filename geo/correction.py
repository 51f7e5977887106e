"""Corrections to gazetteer positions, and what they change downstream.

A correction replaces a place's point with a better one supplied by a user (a POI
export, a point dragged on the locate page, a single position typed in). Applying
corrections rewrites ``layers/gazetteer.csv`` in one atomic step, keeping every
other byte of the file: unchanged rows, the column order, the ``within`` column and
any column this toolkit does not know. A place that was only anchored
(``APPROXIMATE``) loses that note; other approximate places anchored at the same
point move with it, their accuracy recomputed from the new anchor's.

Before anything is written, the layers are loaded and the derived zones and the
claims' verdicts computed twice in memory, with the old and the new gazetteer, so
the command can say what the correction changes downstream.

:func:`fix_positions` is the one function that reads, changes and writes the file;
the other functions work on data in memory, except :func:`load_state`, which reads
the layers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo._errors import LayerValidationError, Problem
from geo.gazetteer import Gazetteer, normalize_name

__all__ = [
    "Correction",
    "Downstream",
    "FixResult",
    "State",
    "compare_states",
    "corrected_rows",
    "corrections_from_review",
    "datum_cell",
    "fix_positions",
    "gazetteer_from_text",
    "load_state",
    "parse_gazetteer_text",
    "position_correction",
    "render_gazetteer_text",
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
    place : str
        The place's ``name_zh``.
    lon, lat : float
        WGS-84 position in degrees.
    source_datum : str
        The datum the position was supplied in: ``wgs84``, ``gcj02`` or ``bd09``
        (see :func:`datum_cell`).
    source : str
        Citation of the position: file, provider, row, date.
    accuracy_m : float
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
    moved : dict of str to list of str
        Layer id -> ids of features whose geometry changed (source layers).
    zones : list of (str, str, float, float)
        Derived zones whose area changed: layer id, feature id, km² before, after.
    claims : list of (str, str, str)
        Claims whose verdict changed: claim id, before, after.
    missing : list of str
        What could not be loaded (so was not compared).
    claims_checked : bool
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
    crs : str
        ``wgs84``, ``gcj02``, ``bd09`` or a projected ``EPSG:<code>``.

    Returns
    -------
    str
        The lon/lat datum; a projected CRS of China (CGCS2000 Gauss-Krüger) or of
        WGS-84 records ``wgs84``, as CGCS2000 and WGS-84 differ by centimetres here.
    """
    return crs if crs in ("wgs84", "gcj02", "bd09") else "wgs84"


# --------------------------------------------------------------------------- text
def parse_gazetteer_text(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Split the gazetteer CSV into its header and rows of text cells.

    Parameters
    ----------
    text : str
        The file's content.

    Returns
    -------
    tuple of (list of str, list of dict)
        Column names in file order and one ``{column: cell}`` per row; cells are
        kept as written so that unchanged rows are written back byte for byte.
    """
    reader = csv.DictReader(io.StringIO(text))
    rows = [dict(r) for r in reader]
    return list(reader.fieldnames or []), rows


def render_gazetteer_text(header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    r"""Return the CSV text of a gazetteer (minimal quoting, ``\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def gazetteer_from_text(text: str) -> Gazetteer:
    """Build a :class:`Gazetteer` from CSV text (as :func:`load_gazetteer` reads it)."""
    table = pd.read_csv(
        io.StringIO(text), encoding="utf-8", dtype={"aliases": str, "note": str, "within": str}
    )
    return Gazetteer(table)


# --------------------------------------------------------------------------- changes
def _fmt_acc(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def _same_point(row: Mapping[str, str], lon: str, lat: str) -> bool:
    try:
        return math.isclose(float(row["lon"]), float(lon), abs_tol=1e-9) and math.isclose(
            float(row["lat"]), float(lat), abs_tol=1e-9
        )
    except (KeyError, ValueError):
        return False


def _replaced(row: Mapping[str, str], fix: Correction, today: str) -> dict[str, str]:
    new = dict(row)
    old_note = str(row.get("note", ""))
    kind = "anchored" if old_note.startswith(_APPROXIMATE) else "located"
    # an anchored note only explains the anchor; a located row's note may say more
    kept = f"; earlier note: {old_note}" if kind == "located" and old_note else ""
    new.update(
        kind=str(row.get("kind", "")).removesuffix("-anchored"),
        lon=f"{fix.lon:.6f}",
        lat=f"{fix.lat:.6f}",
        source_datum=fix.source_datum,
        source=fix.source,
        accuracy_m=_fmt_acc(fix.accuracy_m),
        note=(
            f"Position supplied on {today}; it replaces the {kind} point {row['lon']}, "
            f"{row['lat']} (accuracy {row['accuracy_m']} m){kept}"
        ),
    )
    return new


def _followed(
    row: Mapping[str, str], anchor_before: Mapping[str, str], anchor_after: Mapping[str, str]
) -> dict[str, str]:
    """Move an approximate row anchored at a corrected place along with it."""
    old_anchor, new_anchor = float(anchor_before["accuracy_m"]), float(anchor_after["accuracy_m"])
    new = dict(row)
    new["lon"], new["lat"] = anchor_after["lon"], anchor_after["lat"]
    # an anchored accuracy is the anchor's plus the stated offset: keep the offset
    new["accuracy_m"] = _fmt_acc(float(row["accuracy_m"]) - old_anchor + new_anchor)
    new["note"] = _ANCHOR_ACC.sub(f"anchor accuracy {_fmt_acc(new_anchor)} m", row["note"])
    return new


def _anchored_at(row: Mapping[str, str], name: str) -> bool:
    return str(row.get("note", "")).startswith(_APPROXIMATE) and str(
        row.get("source", "")
    ).startswith(f"anchored at {name}:")


def corrected_rows(
    rows: Sequence[Mapping[str, str]], corrections: Iterable[Correction], today: str
) -> tuple[list[dict[str, str]], list[RowChange]]:
    """Apply corrections to gazetteer rows (in memory).

    Parameters
    ----------
    rows : sequence of mapping
        Rows from :func:`parse_gazetteer_text`.
    corrections : iterable of Correction
        New positions; each names a row by ``name_zh``.
    today : str
        Date written into the notes (ISO).

    Returns
    -------
    tuple of (list of dict, list of RowChange)
        The new rows (same order, every column kept) and what changed, the
        corrected rows first, then the approximate rows that followed their anchor.

    Raises
    ------
    LayerValidationError
        If a correction names a place that is not a row of the gazetteer.
    """
    out = [dict(r) for r in rows]
    by_name = {normalize_name(r["name_zh"]): i for i, r in enumerate(out)}
    fixes = list(corrections)
    missing = [f.place for f in fixes if normalize_name(f.place) not in by_name]
    if missing:
        raise LayerValidationError(
            [
                Problem("gazetteer.csv", m, "no row has this name_zh", "use the place's name_zh")
                for m in missing
            ]
        )
    changes: list[RowChange] = []
    for fix in fixes:
        i = by_name[normalize_name(fix.place)]
        before = dict(out[i])
        out[i] = _replaced(before, fix, today)
        changes.append(RowChange(before["name_zh"], before, out[i]))
    changes += _follow_anchors(out, list(changes))
    return out, changes


def _follow_anchors(out: list[dict[str, str]], moved: list[RowChange]) -> list[RowChange]:
    """Move, in place, the approximate rows anchored at moved rows (and at those, ...)."""
    done = {normalize_name(c.place) for c in moved}
    index = {normalize_name(r["name_zh"]): i for i, r in enumerate(out)}
    queue, followed = list(moved), []
    while queue:
        anchor = queue.pop(0)
        for j, row in enumerate(out):
            key = normalize_name(row["name_zh"])
            if key in done or not _anchored_at(row, anchor.place):
                continue
            if not _same_point(row, anchor.before["lon"], anchor.before["lat"]):
                continue
            out[j] = _followed(row, anchor.before, out[index[normalize_name(anchor.place)]])
            done.add(key)
            change = RowChange(row["name_zh"], dict(row), out[j], follows=anchor.place)
            followed.append(change)
            queue.append(change)
    return followed


def position_correction(
    gazetteer: Gazetteer,
    name: str,
    lon: float,
    lat: float,
    crs: str,
    source: str,
    *,
    accuracy_m: float | None = None,
    district: Any = None,
) -> Correction:
    """Build the correction for one place given by hand (``geo gazetteer set``).

    Parameters
    ----------
    gazetteer : Gazetteer
        Resolves ``name`` (any name or alias).
    lon, lat : float
        The position in ``crs``.
    crs : str
        ``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>`` (then ``lon``/``lat`` are
        easting/northing in metres).
    source : str
        Where the position comes from.
    accuracy_m : float, optional
        The error of the position itself, in metres; the place's extent is added
        (:func:`geo.gazetteer.position_accuracy`).
    district : shapely geometry, optional
        The district (WGS-84); a position outside it is refused.

    Returns
    -------
    Correction

    Raises
    ------
    GazetteerError
        If the name is not in the gazetteer.
    LayerValidationError
        If the position is not a position in Chongqing, lies outside the district,
        or the place is a kind one point cannot locate.
    """
    from geo.gazetteer import position_accuracy
    from geo.layers import _coordinate_problem, canonical_crs
    from geo.poi import _outside, to_wgs84

    place = gazetteer.lookup(name)
    datum = canonical_crs(crs)
    found = _coordinate_problem([float(lon)], [float(lat)], datum)
    xs, ys = to_wgs84([lon], [lat], datum)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys), crs="EPSG:4326")
    if found is None and district is not None and bool(_outside(pts, district)[0]):
        found = ("the position lies outside the district", "check the coordinates and --crs")
    acc = position_accuracy(place.kind, accuracy_m)
    if found is None and not math.isfinite(acc):
        found = (f"a {place.kind} cannot be located by one point", "edit the layer that draws it")
    if found is not None:
        raise LayerValidationError([Problem("command line", place.name_zh, *found)])
    cited = f"{source}; given as {lon}, {lat} ({datum})"
    return Correction(place.name_zh, float(xs[0]), float(ys[0]), datum_cell(datum), cited, acc)


def _review_source(rec: Mapping[str, Any], source: str, file_label: str) -> str:
    datum = str(rec["source_datum"])
    conv = "" if datum == "wgs84" else f"; given in {datum}, converted to WGS-84"
    where = f"{file_label} {rec['row']}".strip()
    addr = f" ({rec['address']})" if rec.get("address") else ""
    return f"{source}: {where} '{rec['name']}'{addr}{conv}"


def corrections_from_review(
    review: pd.DataFrame,
    source: str,
    *,
    only: Sequence[str] | None = None,
    file_label: str = "",
) -> tuple[list[Correction], list[str]]:
    """Choose the rows of a review table to apply.

    Parameters
    ----------
    review : pandas.DataFrame
        Output of :func:`geo.poi.match_points`.
    source : str
        The ``--source`` text (provider, date).
    only : sequence of str, optional
        Place names to apply (any name or alias); rows whose only flags are
        warnings (``far``, ``located``) are applied when named here.
    file_label : str
        The input file's name, cited in each row's source.

    Returns
    -------
    tuple of (list of Correction, list of str)
        The corrections, and one line per matched row left out, with its reason.
    """
    wanted = {normalize_name(n) for n in only or ()}
    named: set[str] = set()
    fixes, skipped = [], []
    for rec in review.to_dict("records"):
        place = str(rec["place"])
        if (
            wanted
            and normalize_name(place) not in wanted
            and normalize_name(rec["name"]) not in wanted
        ):
            continue
        named.add(normalize_name(place))
        ok = rec["status"] == "apply" or (rec["status"] == "needs --only" and wanted)
        if not ok:
            skipped.append(
                f"{rec['row']} {rec['name'] or '(no name)'}: {rec['status']} ({rec['flags']})"
            )
            continue
        fixes.append(
            Correction(
                place,
                float(rec["lon"]),
                float(rec["lat"]),
                datum_cell(str(rec["source_datum"])),
                _review_source(rec, source, file_label),
                float(rec["accuracy_m"]),
            )
        )
    return fixes, skipped


# --------------------------------------------------------------------------- downstream
def load_state(directory: Path, gazetteer: Gazetteer, ledger: pd.DataFrame | None) -> State:
    """Load every catalog layer and judge the claims with ``gazetteer``.

    Parameters
    ----------
    directory : Path
        The layers folder (with ``catalog.yaml``).
    gazetteer : Gazetteer
        Used for every ``place`` reference and derived rule.
    ledger : pandas.DataFrame, optional
        The claims ledger; without it no verdicts are computed.

    Returns
    -------
    State
    """
    from geo import claims as cl
    from geo.derive import derive_layer
    from geo.gazetteer import using_gazetteer
    from geo.layers import read_catalog, read_layer_file

    catalog = read_catalog(directory / "catalog.yaml")
    frames: dict[str, gpd.GeoDataFrame] = {}
    missing: list[str] = []

    def load(lid: str) -> gpd.GeoDataFrame:
        if lid not in frames:
            spec = catalog[lid]
            if spec.is_derived:
                frames[lid] = derive_layer(spec, load)
            else:
                assert spec.file is not None  # parse_catalog guarantees file or derived
                frames[lid] = read_layer_file(
                    directory / spec.file, spec.crs, spec.geometry_type, gazetteer
                )
        return frames[lid]

    with using_gazetteer(gazetteer):
        for spec in catalog:
            try:
                load(spec.id)
            except (ValueError, KeyError, OSError) as exc:
                missing.append(f"layer {spec.id}: {str(exc).splitlines()[0]}")
        verdicts = None
        if ledger is not None:
            ctx = cl.context_from_layers(frames, catalog, gazetteer)
            judged = cl.verdicts(ledger, cl.run_checks(ledger, **ctx))
            verdicts = judged.set_index("claim_id")["verdict"]
    derived = frozenset(s.id for s in catalog if s.is_derived)
    return State(frames, derived, verdicts, missing)


def _moved_ids(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> list[str]:
    if "id" not in a.columns or "id" not in b.columns:
        return []
    old = dict(zip(a["id"].astype(str), a.geometry, strict=True))
    return [
        fid
        for fid, geom in zip(b["id"].astype(str), b.geometry, strict=True)
        if fid in old
        and geom is not None
        and old[fid] is not None
        and not geom.equals_exact(old[fid], 1e-9)
    ]


def _zone_changes(
    lid: str, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame
) -> list[tuple[str, str, float, float]]:
    from geo.measure import geodesic_area

    types = [*a.geometry.geom_type, *b.geometry.geom_type]
    polys = bool(types) and all("Polygon" in str(t) for t in types)
    if not polys or "id" not in a.columns or "id" not in b.columns:
        return []
    before = dict(zip(a["id"].astype(str), geodesic_area(a) / 1e6, strict=True))
    after = dict(zip(b["id"].astype(str), geodesic_area(b) / 1e6, strict=True))
    # a zone that can be derived only before or only after the change counts as 0 km²
    # on the other side (its members became too coarse, or precise enough)
    ids = [*before, *(fid for fid in after if fid not in before)]
    return [
        (lid, fid, before.get(fid, 0.0), after.get(fid, 0.0))
        for fid in ids
        if abs(after.get(fid, 0.0) - before.get(fid, 0.0)) >= AREA_CHANGE_KM2
    ]


def compare_states(old: State, new: State) -> Downstream:
    """Say what differs between two states: moved features, zone areas, verdicts.

    Parameters
    ----------
    old, new : State
        From :func:`load_state` with the gazetteer before and after.

    Returns
    -------
    Downstream
    """
    out = Downstream(missing=sorted(set(old.missing) | set(new.missing)))
    for lid, before in old.frames.items():
        after = new.frames.get(lid)
        if after is None:
            continue
        if lid in old.derived:
            out.zones += _zone_changes(lid, before, after)
        else:
            ids = _moved_ids(before, after)
            if ids:
                out.moved[lid] = ids
    if old.verdicts is not None and new.verdicts is not None:
        out.claims_checked = True
        for cid, verdict in old.verdicts.items():
            now = new.verdicts.get(cid)
            if now is not None and now != verdict:
                out.claims.append((str(cid), str(verdict), str(now)))
    return out


# --------------------------------------------------------------------------- writing
def _validate_new(text_before: Gazetteer, text_after: Gazetteer, path: Path) -> None:
    """Refuse a change that adds problems to the gazetteer's own checks."""
    before = set(text_before.validate())
    added = [p for p in text_after.validate() if p not in before]
    if added:
        raise LayerValidationError(
            [Problem(str(path), "-", p, "check the supplied position and its CRS") for p in added]
        )


def _read_ledger(directory: Path) -> pd.DataFrame | None:
    from geo.claims import read_ledger

    path = directory / "claims.csv"
    return read_ledger(path) if path.exists() else None


def fix_positions(
    corrections: Sequence[Correction],
    directory: str | Path | None = None,
    *,
    dry_run: bool = False,
    downstream: bool = True,
    today: str | None = None,
) -> FixResult:
    """Apply corrections to ``gazetteer.csv``: read, change, check, compare, write.

    This is the whole read-modify-write of the gazetteer: the file is read once,
    the new text computed, checked and compared downstream in memory, then written
    atomically (temporary file and rename) after a copy of the old file is kept in
    ``.backup/gazetteer.<timestamp>.csv``. A failure at any point leaves the file as
    it was.

    Parameters
    ----------
    corrections : sequence of Correction
        New positions.
    directory : str or Path, optional
        The layers folder; default :func:`geo.layers.layers_dir`.
    dry_run : bool
        Compute and compare, but write nothing.
    downstream : bool
        Load the layers and claims to report what changes (default True).
    today : str, optional
        Date for the notes (ISO); default today (UTC).

    Returns
    -------
    FixResult

    Raises
    ------
    LayerValidationError
        If a correction names an unknown place or makes the gazetteer fail its checks.
    """
    from geo.layers import layers_dir

    folder = Path(directory) if directory is not None else layers_dir()
    if dry_run:
        return _fix_positions(corrections, folder, dry_run, downstream, today)
    from geo._io import write_lock

    with write_lock(folder):
        return _fix_positions(corrections, folder, dry_run, downstream, today)


def _fix_positions(
    corrections: Sequence[Correction],
    folder: Path,
    dry_run: bool,
    downstream: bool,
    today: str | None,
) -> FixResult:
    """Read, change, check, compare and (unless ``dry_run``) write; the caller locks."""
    from geo._io import atomic_write_text, backup_copies

    path = folder / "gazetteer.csv"
    now = dt.datetime.now(dt.UTC)
    text = path.read_text(encoding="utf-8")
    header, rows = parse_gazetteer_text(text)
    new_rows, changes = corrected_rows(rows, corrections, today or now.date().isoformat())
    new_text = render_gazetteer_text(header, new_rows)
    old_gaz, new_gaz = gazetteer_from_text(text), gazetteer_from_text(new_text)
    _validate_new(old_gaz, new_gaz, path)
    report = Downstream()
    if downstream and changes:
        ledger = _read_ledger(folder)
        report = compare_states(
            load_state(folder, old_gaz, ledger), load_state(folder, new_gaz, ledger)
        )
    result = FixResult(path, changes, report)
    if dry_run or not changes:
        return result
    result.backup = backup_copies([path], folder / BACKUP_DIR)[0]
    atomic_write_text(path, new_text)
    result.written = True
    return result
