"""Verdicts: one per claim from the check results, counts, and the Markdown summary.

The summary is written for a reviewer who does not code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from geo.claims.ledger import METRIC_LABELS
from geo.claims.registry import CHECK_REGISTRY

__all__ = ["VERDICTS", "summarise", "summary_markdown", "verdicts"]

#: Verdicts, from the one that decides most to the one that decides least.
VERDICTS: tuple[str, ...] = ("conflict", "unsubstantiated", "consistent", "cannot verify")


def _value_checks() -> frozenset[str]:
    """Return the checks whose ``consistent`` vouches for the figure (not containment)."""
    return frozenset(name for name, rule in CHECK_REGISTRY.items() if rule.vouches)


def verdicts(claims: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """One verdict per claim from the check results.

    ``conflict`` if any check found one; else ``unsubstantiated`` if any; else
    ``consistent`` if a value check agreed; else ``cannot verify``.

    Parameters
    ----------
    claims
        The ledger.
    results
        Output of :func:`run_checks`.

    Returns
    -------
    pandas.DataFrame
        The ledger with ``verdict``, ``checks`` (which checks decided) and ``reason``.
    """
    value_checks = _value_checks()
    out = claims.copy()
    verdict_col: list[str] = []
    checks_col: list[str] = []
    reason_col: list[str] = []
    grouped = dict(tuple(results.groupby("claim_id", sort=False)))
    for cid in out["claim_id"]:
        g = grouped.get(cid)
        if g is None or g.empty:
            verdict_col.append("cannot verify")
            checks_col.append("")
            reason_col.append("single statement: no second source, members, footprint or sum")
            continue
        chosen = "cannot verify"
        for v in ("conflict", "unsubstantiated"):
            if (g["verdict"] == v).any():
                chosen = v
                break
        else:
            if ((g["verdict"] == "consistent") & g["check"].isin(value_checks)).any():
                chosen = "consistent"
        if chosen == "consistent":
            sel = g[(g["verdict"] == "consistent") & g["check"].isin(value_checks)]
        else:
            sel = g[g["verdict"] == chosen]
        if chosen == "cannot verify" and sel.empty:
            sel = g
        verdict_col.append(chosen)
        checks_col.append(", ".join(dict.fromkeys(sel["check"])))
        reason_col.append(
            " | ".join(f"{c}: {r}" for c, r in zip(sel["check"], sel["reason"], strict=True))
        )
    out["verdict"] = verdict_col
    out["checks"] = checks_col
    out["reason"] = reason_col
    return out


def summarise(judged: pd.DataFrame) -> pd.DataFrame:
    """Count claims by verdict.

    Parameters
    ----------
    judged
        Output of :func:`verdicts`.

    Returns
    -------
    pandas.DataFrame
        Columns ``verdict, claims``, in :data:`VERDICTS` order, zeros included.
    """
    counts = judged["verdict"].value_counts()
    return pd.DataFrame(
        {"verdict": list(VERDICTS), "claims": [int(counts.get(v, 0)) for v in VERDICTS]}
    )


def _md_cell(text: Any) -> str:
    """Return text safe in a Markdown table cell (pipes escaped, one line)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(judged: pd.DataFrame, missing: Iterable[str] = ()) -> str:
    """Write a Markdown summary of the verdicts for a reviewer who does not code.

    Parameters
    ----------
    judged
        Output of :func:`verdicts`.
    missing
        Data that was not available when the checks ran (said up front).

    Returns
    -------
    str
        The report.
    """
    lines = [
        "# Claims report: sizes, lengths and money stated for named places",
        "",
        f"{len(judged)} statements from the plan and four news reports were checked. "
        "Each has one verdict:",
        "",
        "- **consistent**: another source, the members' own figures, the mapped footprint "
        "or the plan's own arithmetic agrees;",
        "- **conflict**: they disagree by more than rounding or map accuracy allows;",
        "- **unsubstantiated**: the evidence in the documents falls short of the figure;",
        "- **cannot verify**: there is nothing independent to test the figure against.",
        "",
        "| verdict | claims |",
        "|---|---|",
    ]
    lines += [f"| {r.verdict} | {r.claims} |" for r in summarise(judged).itertuples()]
    missing = list(missing)
    if missing:
        lines += ["", "Data not available for this run (checks needing it said *cannot verify*):"]
        lines += [f"- {m}" for m in missing]
    for v in ("conflict", "unsubstantiated"):
        sub = judged[judged["verdict"] == v]
        if sub.empty:
            continue
        lines += [
            "",
            f"## {v.capitalize()} ({len(sub)})",
            "",
            "| claim | place | figure | source | why |",
            "|---|---|---|---|---|",
        ]
        for r in sub.to_dict("records"):
            lines.append(
                f"| {r['claim_id']} | {_md_cell(r['place'])} | "
                f"{_md_cell(r['value_written'])} {_md_cell(r['unit_written'])} "
                f"({_md_cell(METRIC_LABELS.get(r['metric'], r['metric']))}) | "
                f"{str(r['source_file'])[:3]} line {r['line']} | {_md_cell(r['reason'])} |"
            )
    lines.append("")
    return "\n".join(lines)
