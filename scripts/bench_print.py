"""Benchmark: build all nine print figures (A4 landscape, 300 dpi, PNG and PDF).

Loads the catalog's layers once, then times drawing and rendering every figure, as
``geo print --out DIR`` does, and prints the total, the time per figure and the
machine's load average. Nothing is written unless ``--out`` is given.

Usage::

    python scripts/bench_print.py [--dpi 300] [--paper A4] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from geo.cli.cmd_maps import load_for_maps
from geo.gazetteer import load_gazetteer
from geo.layers import read_catalog
from geo.maps.specs import all_specs
from geo.printing import FORMATS, Page, draw_figure, figure_bytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=float, default=300)
    parser.add_argument("--paper", default="A4", choices=["A4", "A3"])
    parser.add_argument("--out", type=Path, help="also write the files here")
    args = parser.parse_args()
    load_before = os.getloadavg()
    catalog = read_catalog()
    layers, _ = load_for_maps(catalog)
    gazetteer = load_gazetteer()
    page = Page(args.paper)
    start = time.perf_counter()
    sizes = 0
    for spec in all_specs(catalog):
        t0 = time.perf_counter()
        fig = draw_figure(spec, layers, catalog, page, gazetteer)
        t1 = time.perf_counter()
        for fmt in FORMATS:
            data = figure_bytes(fig, fmt, args.dpi, page, spec.title_zh)
            sizes += len(data)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{spec.id}.{fmt}").write_bytes(data)
        t2 = time.perf_counter()
        print(f"{spec.id:9s} draw {t1 - t0:5.2f} s  render png+pdf {t2 - t1:5.2f} s")
    total = time.perf_counter() - start
    load_after = os.getloadavg()
    print(
        f"nine prints ({args.paper} landscape, {args.dpi:g} dpi, png+pdf): {total:.1f} s, "
        f"{sizes / 1e6:.1f} MB; load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f} on {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
