"""What the checks compare the ledger with, loaded from the layers and the gazetteer.

:func:`context_from_layers` builds the checks' inputs from layers in memory;
:func:`load_context` loads every catalog layer and the gazetteer for it, setting
aside what does not load; :func:`judge` runs the checks with a context.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo import errors as err
from geo.claims.checks_documents import default_members
from geo.claims.ledger import read_ledger
from geo.claims.places import layer_records, place_resolver
from geo.claims.registry import run_checks, with_keys
from geo.claims.verdicts import verdicts

if TYPE_CHECKING:
    from geo.project import Project

__all__ = ["ClaimsContext", "context_from_layers", "judge", "load_context"]

#: Errors that mean an input is not available (the gazetteer or a layer that does
#: not load): the checks that need it say *cannot verify* and the report says why.
UNAVAILABLE: tuple[type[Exception], ...] = (err.GeoError, OSError)


@dataclass(frozen=True, eq=False)
class ClaimsContext:
    """The ledger and what the checks compare it with.

    Attributes
    ----------
    inputs
        Keyword arguments of :func:`geo.claims.run_checks` (``lookup``, ``places``,
        ``members``, ``features``, ``zones``; any may be absent).
    missing
        Inputs that were not available, one sentence each.
    ledger
        The claims; :func:`geo.claims.read_ledger` when None.

    Notes
    -----
    :func:`judge` keeps its result with the context, so the command that prints
    the verdicts and then writes the pages judges once. Build a new context
    rather than change the inputs of one that was judged.
    """

    inputs: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    ledger: pd.DataFrame | None = None
    _judged: list[tuple[pd.DataFrame, pd.DataFrame]] = field(
        default_factory=list, repr=False, compare=False
    )


def context_from_layers(
    layers: Mapping[str, Any], catalog: Any, gazetteer: Any | None
) -> dict[str, Any]:
    """Build the keyword arguments of :func:`run_checks` from loaded layers.

    Parameters
    ----------
    layers
        Loaded layers by catalog id (any subset).
    catalog
        Says which layers are members, zones and sites.
    gazetteer
        Resolves name variants and gives place points.

    Returns
    -------
    dict
        ``lookup`` (gazetteer places and the areas the layers' ``aliases`` name,
        :func:`geo.claims.place_resolver`), and ``places``, ``members``,
        ``features`` and ``zones`` where the inputs allow.
    """
    import geopandas as gpd

    ctx: dict[str, Any] = {"lookup": place_resolver(gazetteer, layer_records(layers))}
    if gazetteer is not None:
        table = gazetteer.to_frame()
        ctx["places"] = gpd.GeoDataFrame(
            table,
            geometry=gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)),
            crs="EPSG:4326",
        )
    rows = [
        {"group": rec[col], "member": rec.get("name_zh", ""), "complete": False}
        for lid, col in (("ring_members", "ring"), ("incubator_members", "cluster"))
        if lid in layers and col in layers[lid].columns
        for rec in layers[lid].to_dict("records")
    ]
    if rows:
        ctx["members"] = pd.concat([default_members(), pd.DataFrame(rows)], ignore_index=True)
    kept = [layers[s.id] for s in catalog if s.id in layers and s.role not in ("axis", "terrain")]
    if kept:
        allf = gpd.GeoDataFrame(pd.concat(kept, ignore_index=True), crs="EPSG:4326")
        ctx["features"] = allf
        poly = allf[allf.geometry.notna() & allf.geometry.geom_type.str.contains("Polygon")]
        if len(poly):
            ctx["zones"] = poly
    return ctx


def load_context(project: Project | None = None) -> ClaimsContext:
    """Load the project's layers and gazetteer for the checks.

    A layer that does not load is left out and named in ``missing``, so the
    checks that need it say ``cannot verify`` and the report says why.

    Parameters
    ----------
    project
        The data folder; default the packaged data (``geo.Project()``).

    Returns
    -------
    ClaimsContext
        The project's ledger, the checks' inputs and what was missing.
    """
    from geo import project as _project

    proj = _project.Project() if project is None else project
    missing: list[str] = []
    gaz = None
    try:
        gaz = proj.gazetteer
    except UNAVAILABLE as exc:
        missing.append(f"gazetteer: {exc}")
    with warnings.catch_warnings():  # each left-out layer is named in `missing` instead
        warnings.simplefilter("ignore", err.LayerLoadWarning)
        frames = proj.layers()
    missing += [f"layer {p.layer}: {p.first_line}" for p in proj.problems]
    inputs = context_from_layers(frames, proj.catalog, gaz)
    return ClaimsContext(inputs, tuple(missing), read_ledger(proj.claims_path))


def judge(context: ClaimsContext | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every check on the ledger with whatever context exists.

    Parameters
    ----------
    context
        Loaded with :func:`load_context` when omitted.

    Returns
    -------
    tuple of DataFrame
        The claims with ``place_key``, ``verdict``, ``checks`` and ``reason``;
        and the raw check results (copies: changing them changes no later call).
    """
    ctx = load_context() if context is None else context
    if not ctx._judged:
        claims = read_ledger() if ctx.ledger is None else ctx.ledger
        keyed = with_keys(claims, ctx.inputs.get("lookup"))  # each place resolved once
        results = run_checks(keyed, **ctx.inputs)
        judged = verdicts(claims, results)
        keys = dict(zip(keyed["claim_id"], keyed["place_key"], strict=True))
        judged.insert(3, "place_key", judged["claim_id"].map(keys))
        ctx._judged.append((judged, results))
    judged, results = ctx._judged[0]
    return judged.copy(), results.copy()
