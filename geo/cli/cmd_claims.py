"""``geo claims``: check the claims ledger and report the verdicts.

``geo claims`` prints the count of claims by verdict; ``--format csv|json`` prints
every claim with its verdict instead; ``--strict`` exits 1 when any claim is in
conflict; ``--out DIR`` writes ``index.html`` (sortable, filterable table with the
quotes, and a link to ``map.html``), ``map.html``, ``claims_report.csv`` and
``claims_report.md`` into ``DIR``; ``--xlsx PATH`` writes the claims with their
verdicts and the summary as an Excel workbook. The map is self-contained (Leaflet inlined):
it opens on an intranet with no internet; ``--basemap none`` drops the tiles too.

``geo claims --link`` fills the ledger's ``feature_id`` column from the layers
(:func:`geo.claims.link_features`), prints what changed and rewrites
``layers/claims.csv`` atomically; add ``--dry-run`` to only print.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from geo.cli._lazy import lazy_choices

__all__ = ["main", "register", "run"]


def _run_link(args: argparse.Namespace) -> int:
    """Handle ``geo claims --link [--dry-run]``."""
    from geo import claims as cl
    from geo.project import Project

    project = Project()
    if project.dsn is not None and not getattr(args, "dry_run", False):
        from geo.db.connection import redact
        from geo.gis.stored import relink_in_store

        linked, changes = relink_in_store(project)
        wrote: object = f"{len(changes)} claim row(s) of {redact(project.dsn)}"
    else:
        linked, changes, wrote = cl.relink_ledger(dry_run=getattr(args, "dry_run", False))
    n_linked = int((linked["feature_id"] != "").sum())
    print(f"{n_linked} of {len(linked)} claims name a layer feature; {len(changes)} changed")
    if len(changes):
        print(changes.to_string(index=False))
    if getattr(args, "dry_run", False):
        print("dry run: nothing written")
    elif wrote is not None:
        print(f"wrote {wrote}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Handle ``geo claims``.

    Parameters
    ----------
    args
        ``strict`` (bool), ``out`` (path or None), ``format`` (table|csv|json),
        ``basemap`` (for ``--out``), ``link`` and ``dry_run`` (bool).

    Returns
    -------
    int
        Exit status: 1 with ``--strict`` when a conflict exists, else 0.
    """
    from geo import claims as cl
    from geo.tables import csv_text

    if getattr(args, "link", False):
        return _run_link(args)
    context = cl.load_context()
    judged, _results = cl.judge(context)
    fmt = getattr(args, "format", "table") or "table"
    if fmt == "csv":
        print(csv_text(judged), end="")
    elif fmt == "json":
        print(json.dumps(judged.to_dict("records"), ensure_ascii=False, default=str, indent=1))
    else:
        print(cl.summarise(judged).to_string(index=False))
        if context.missing:
            print("not available: " + "; ".join(context.missing))
    if getattr(args, "xlsx", None):
        from geo.tables import write_xlsx

        sheets = {"汇总 summary": cl.summarise(judged), "声明 claims": judged}
        print(f"wrote {write_xlsx(args.xlsx, sheets)}")
    if getattr(args, "out", None):
        basemap = getattr(args, "basemap", "osm") or "osm"
        for path in cl.write_outputs(args.out, context, basemap):
            print(f"wrote {path}")
    if getattr(args, "strict", False) and (judged["verdict"] == "conflict").any():
        return 1
    return 0


def register(subparsers: Any) -> None:
    """Add the ``claims`` subcommand.

    Parameters
    ----------
    subparsers
        From ``ArgumentParser.add_subparsers()``.
    """
    p = subparsers.add_parser(
        "claims",
        help="check the claims ledger and report verdicts",
        description="Check every size claim of the plan and the news reports against\n"
        "the layers, and report the verdicts.\n\n" + (__doc__ or "").split("\n\n", 1)[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when any claim is in conflict")
    p.add_argument("--out", metavar="DIR", help="write the HTML/CSV/Markdown report into DIR")
    p.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )
    p.add_argument(
        "--xlsx",
        metavar="PATH",
        help="also write every claim with its verdict, and the summary, as an Excel workbook",
    )
    basemap = p.add_argument(
        "--basemap",
        default="osm",
        help="tiles of map.html (always self-contained otherwise); none: no tiles, fully offline",
    )
    lazy_choices(basemap, "geo.maps.basemaps", "BASEMAP_NAMES")
    p.add_argument(
        "--link",
        action="store_true",
        help="fill feature_id in layers/claims.csv from the layers, show the changes, rewrite it",
    )
    p.add_argument("--dry-run", action="store_true", help="with --link: show, do not write")
    p.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    """Run ``claims`` on its own (``python -m geo.cli.cmd_claims``).

    Parameters
    ----------
    argv
        Arguments after the program name.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(prog="geo")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["claims", *(argv or [])])
    return int(args.func(args))


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
