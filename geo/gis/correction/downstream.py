"""What a correction changes downstream: derived zones and claims' verdicts."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.data.gazetteer import Gazetteer
from geo.gis.correction.records import AREA_CHANGE_KM2, Downstream, State

__all__ = [
    "compare_states",
    "load_state",
]


# --------------------------------------------------------------------------- downstream
def load_state(directory: Path, gazetteer: Gazetteer, ledger: pd.DataFrame | None) -> State:
    """Load every catalog layer and judge the claims with ``gazetteer``.

    Parameters
    ----------
    directory
        The layers folder (with ``catalog.yaml``).
    gazetteer
        Used for every ``place`` reference and derived rule.
    ledger
        The claims ledger; without it no verdicts are computed.

    Returns
    -------
    State
    """
    from geo import claims as cl
    from geo.data.catalog import read_catalog
    from geo.data.derive import derive_layer
    from geo.data.inputs import read_layer_file

    catalog = read_catalog(directory / "catalog.yaml")
    frames: dict[str, gpd.GeoDataFrame] = {}
    missing: list[str] = []

    def load(lid: str) -> gpd.GeoDataFrame:
        if lid not in frames:
            spec = catalog[lid]
            if spec.is_derived:
                frames[lid] = derive_layer(spec, load, gazetteer)
            else:
                assert spec.file is not None  # parse_catalog guarantees file or derived
                frames[lid] = read_layer_file(
                    directory / spec.file, spec.crs, spec.geometry_type, gazetteer
                )
        return frames[lid]

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
    from geo.measure.areas import geodesic_area

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
    old, new
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
