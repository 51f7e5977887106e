"""``geo init DIR``: a copy of the data to edit, for an installed package."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from geo._data import LAYERS_ENV
from geo._io import copy_data


def register(sub: Any) -> None:
    """Add the ``init`` subcommand."""
    p = sub.add_parser(
        "init",
        help="copy the layers, sources and notebooks to a folder of your own, to edit there",
        description="Copy the layers folder (catalog, layer files, gazetteer, claims ledger), "
        "the source documents and the worked notebooks into DIR/layers, DIR/sources and "
        "DIR/notebooks (the notebooks work on DIR/layers). The data installed with the "
        f"package is read-only; after the copy, set {LAYERS_ENV}=DIR/layers.",
    )
    p.add_argument("dir", type=Path, help="folder to copy into (created if needed)")
    p.set_defaults(func=run_init)


def run_init(args: argparse.Namespace) -> int:
    """Copy the data and say how to use the copy."""
    made = copy_data(args.dir)
    print(f"copied the layers to {made['layers']} and the sources to {made['sources']}")
    if "notebooks" in made:
        print(f"the notebooks are in {made['notebooks']} (jupyter lab {made['notebooks']})")
    print(f"use them with: export {LAYERS_ENV}={made['layers'].resolve()}")
    return 0
