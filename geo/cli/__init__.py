"""The ``geo`` command line.

Each command group lives in ``geo/cli/cmd_<name>.py`` and exposes
``register(subparsers)``; this module discovers them, so adding a command is adding
a module.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from geo._errors import (
    BasemapError,
    CatalogError,
    ClaimParseError,
    CRSError,
    DeriveError,
    GazetteerError,
    LayerValidationError,
    MissingDependencyError,
    UnknownLayerError,
)

#: Errors a user can act on: printed as one message, exit status 2, no traceback.
USER_ERRORS = (
    BasemapError,
    CatalogError,
    ClaimParseError,
    CRSError,
    DeriveError,
    GazetteerError,
    LayerValidationError,
    MissingDependencyError,
    UnknownLayerError,
    FileNotFoundError,
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every discovered subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="geo",
        description="Shapingba innovation-layout toolkit: layers, measures, claims and maps.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    package = importlib.import_module("geo.cli")
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    for name in names:
        if name.startswith("cmd_"):
            importlib.import_module(f"geo.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 a check found problems, 2 bad input or usage.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return 2
