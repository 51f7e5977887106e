"""Benchmark: build all nine print figures (A4 landscape, 300 dpi, PNG and PDF).

Loads the catalog's layers once, then times drawing and rendering every figure as
``geo print`` does (``--jobs`` worker processes, 2 by default), and prints the
total wall time, the files' size and the machine's load average before and after.
Nothing is written unless ``--out`` is given.

Usage::

    python scripts/bench_print.py [--dpi 300] [--paper A4] [--jobs 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from geo._io import atomic_write_bytes
from geo.data.catalog import read_catalog
from geo.data.gazetteer import load_gazetteer
from geo.figures.specs import all_specs
from geo.printing import Page
from geo.printing.output import PrintJob, render_prints
from geo.project import load_for_maps


def _cpu_s() -> float:
    """User and system CPU seconds of this process and its finished workers."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=float, default=300)
    parser.add_argument("--paper", default="A4", choices=["A4", "A3"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, help="also write the files here")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    catalog = read_catalog()
    layers, _ = load_for_maps(catalog)
    gazetteer = load_gazetteer()
    job = PrintJob(Page(args.paper), args.dpi)
    start = time.perf_counter()
    cpu_start = _cpu_s()
    size = 0
    specs = all_specs(catalog)
    for spec, files, _seen in render_prints(specs, layers, catalog, job, gazetteer, args.jobs):
        size += sum(len(b) for b in files.values())
        print(f"{spec.id:9s} done at {time.perf_counter() - start:5.1f} s")
        for fmt, data in files.items():
            if args.out:
                atomic_write_bytes(args.out / f"{spec.id}.{fmt}", data)
    total = time.perf_counter() - start
    print(
        f"{len(specs)} prints ({args.paper} landscape, {args.dpi:g} dpi, png+pdf, "
        f"{args.jobs} job(s)): {total:.1f} s wall, {size / 1e6:.1f} MB; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
    )
    print(f"CPU time of this process and its workers: {_cpu_s() - cpu_start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
