"""Interval arithmetic of stated figures: what range a written number allows."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["claim_interval", "format_si"]


def _sig_tolerance(value_written: str, factor: float) -> float:
    """Half a unit in the last significant digit written, in SI units."""
    text = value_written.split("-")[0].lstrip(".")
    if "." in text:
        decimals = len(text.split(".")[1])
        return 0.5 * 10.0 ** (-decimals) * factor
    stripped = text.rstrip("0")
    zeros = len(text) - len(stripped) if stripped else 0
    tol = 0.5 * 10.0**zeros * factor
    if zeros:
        # Trailing zeros are ambiguous ("100 亩" may be exact); cap at 5 %.
        tol = min(tol, 0.05 * float(text) * factor)
    return tol


def claim_interval(row: Mapping[str, Any], approx_rel: float = 0.10) -> tuple[float, float]:
    """Return the interval a claim allows, in SI units.

    ``exact`` figures allow half a unit in their last significant digit (``68 万``
    allows ±0.5 万, ``13000`` allows ±500); ``approx`` (约) adds ``approx_rel``;
    ``at_least`` is open above; ``at_most`` starts at 0; ``range`` is as written.

    Parameters
    ----------
    row
        A ledger row.
    approx_rel
        Relative width allowed by 约.

    Returns
    -------
    tuple of (float, float)
        Low and high bounds.
    """
    lo = float(row["value_si_low"])
    hi = float(row["value_si_high"])
    qual = row["qualifier"]
    if qual == "range":
        return lo, hi
    written = str(row["value_written"]).lstrip(".")
    try:
        number = float(written.split("-")[0])
    except ValueError:
        number = 0.0
    base = hi if qual == "at_most" else lo
    factor = base / number if number else 1.0
    tol = _sig_tolerance(written, factor)
    if qual == "approx":
        tol += approx_rel * base
    if qual == "at_least":
        return lo - tol, math.inf
    if qual == "at_most":
        return 0.0, hi + tol
    return base - tol, base + tol


def format_si(v: float, unit: str) -> str:
    """Return an SI value as a reader reads it (亿元 for money, m² with separators).

    Parameters
    ----------
    v
        The value in SI units (``inf`` for an open bound).
    unit
        ``CNY``, ``m2``, ``m`` or a count.

    Returns
    -------
    str
        The text.
    """
    if math.isinf(v):
        return "∞"
    if unit == "CNY":
        return f"{v / 1e8:g} 亿元"
    if unit == "m2":
        return f"{v:,.0f} m²"
    if unit == "m":
        return f"{v:,.0f} m"
    return f"{v:g}"
