"""The registry of claim checks and the loop that runs them.

A check is a function ``check(claims, **inputs) -> DataFrame`` with columns
``claim_id, check, verdict, reason``. Decorating it with :func:`register_check`
adds it to :data:`CHECK_REGISTRY`; :func:`run_checks` runs every registered check,
passing each only the inputs its signature names (``lookup``, ``members``,
``features``, ``places``, ``zones``). Adding a check is one decorated function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.claims.places import normalise_place
from geo.registries import Registry

__all__ = ["CHECK_REGISTRY", "CheckRule", "register_check", "run_checks"]

#: Inputs a check may ask for by naming them as keyword parameters.
INPUTS: tuple[str, ...] = ("lookup", "members", "features", "places", "zones")

_RESULT_COLUMNS = ["claim_id", "check", "verdict", "reason"]


@dataclass(frozen=True)
class CheckRule:
    """One registered check.

    Attributes
    ----------
    name
        The ``check`` value of its results (``"cross-source"``).
    func
        ``func(claims, **inputs) -> DataFrame``.
    inputs
        The names of :data:`INPUTS` that ``func`` takes.
    vouches
        Whether its ``consistent`` vouches for the figure itself (containment
        only locates a place, so it does not).
    order
        Position in :func:`run_checks` (lowest first); results come in this order.
    """

    name: str
    func: Callable[..., pd.DataFrame]
    inputs: tuple[str, ...]
    vouches: bool
    order: float


#: Registered checks by name (a :class:`geo.registries.Registry`).
CHECK_REGISTRY: Registry[CheckRule] = Registry("claim check")


def register_check(
    name: str, *, vouches: bool = True, order: float | None = None
) -> Callable[[Callable[..., pd.DataFrame]], Callable[..., pd.DataFrame]]:
    """Register a check function under ``name`` (used as a decorator).

    Parameters
    ----------
    name
        The check's name, unique.
    vouches
        False for a check whose ``consistent`` does not vouch for the figure.
    order
        Position among the checks; default after every check registered so far.

    Returns
    -------
    callable
        The decorator; it returns the function unchanged.

    Raises
    ------
    DuplicateNameError
        If ``name`` is registered already (a ``ValueError``).
    """

    def add(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        params = inspect.signature(func).parameters
        last = max((r.order for r in CHECK_REGISTRY.values()), default=0.0)
        rule = CheckRule(
            name=name,
            func=func,
            inputs=tuple(p for p in INPUTS if p in params),
            vouches=vouches,
            order=last + 1.0 if order is None else order,
        )
        CHECK_REGISTRY.add(name, rule)
        return func

    return add


def ordered_rules() -> list[CheckRule]:
    """Return the registered checks in the order they run.

    Returns
    -------
    list of CheckRule
        Sorted by ``order``.
    """
    return sorted(CHECK_REGISTRY.values(), key=lambda r: r.order)


def result(claim_id: str, check: str, verdict: str, reason: str) -> dict[str, str]:
    """Return one check result as a row.

    Parameters
    ----------
    claim_id, check, verdict, reason
        The result's columns.

    Returns
    -------
    dict
        The row.
    """
    return {"claim_id": claim_id, "check": check, "verdict": verdict, "reason": reason}


def frame(rows: Iterable[dict[str, str]]) -> pd.DataFrame:
    """Return check results as a DataFrame with the result columns, even when empty.

    Parameters
    ----------
    rows
        Rows from :func:`result`.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    return pd.DataFrame(list(rows), columns=_RESULT_COLUMNS)


def with_keys(claims: pd.DataFrame, lookup: Callable[[str], str] | None) -> pd.DataFrame:
    """Return a copy of the claims with ``place_key`` (canonical place), if absent.

    Parameters
    ----------
    claims
        The ledger.
    lookup
        Gazetteer name resolver.

    Returns
    -------
    pandas.DataFrame
        The copy.
    """
    out = claims.copy()
    if "place_key" not in out.columns:
        out["place_key"] = [normalise_place(p, lookup) for p in out["place"]]
    return out


def cite(row: Mapping[str, Any]) -> str:
    """Return ``C012 (002:L431)``: a claim and where it is written.

    Parameters
    ----------
    row
        A ledger row.

    Returns
    -------
    str
        The citation.
    """
    return f"{row['claim_id']} ({str(row['source_file'])[:3]}:L{row['line']})"


def run_checks(
    claims: pd.DataFrame,
    *,
    lookup: Callable[[str], str] | None = None,
    members: pd.DataFrame | None = None,
    features: Any = None,
    places: Any = None,
    zones: Any = None,
) -> pd.DataFrame:
    """Run every registered check (:data:`CHECK_REGISTRY`) in order.

    Parameters
    ----------
    claims
        The ledger.
    lookup
        Gazetteer name resolver.
    members
        Cluster and ring membership (see :func:`geo.claims.check_aggregate`).
    features
        Footprints and linked points of layer features.
    places, zones
        Points and zone polygons for :func:`geo.claims.check_containment`.

    Returns
    -------
    pandas.DataFrame
        All check results, columns ``claim_id, check, verdict, reason``.
    """
    given = {
        "lookup": lookup,
        "members": members,
        "features": features,
        "places": places,
        "zones": zones,
    }
    df = with_keys(claims, lookup)
    parts = [rule.func(df, **{k: given[k] for k in rule.inputs}) for rule in ordered_rules()]
    return pd.concat([p for p in parts if not p.empty] or [frame([])], ignore_index=True)
