"""Write print figures to a folder: ``<id>.png`` and ``<id>.pdf`` per figure.

Drawing and rendering are computation (:mod:`geo.printing.figure`); this module
only runs them, optionally in worker processes, and writes each file atomically
(a temporary file in the same folder, then a rename), so an interrupted run never
leaves a half-written figure.

Worker processes die with their parent: on Linux each asks the kernel for SIGKILL
when the process that started it dies (``prctl(PR_SET_PDEATHSIG)``), so a killed
``geo print`` or ``geo site`` leaves no worker behind; and the pool is terminated,
not waited for, when printing stops with an error or is abandoned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo._io import atomic_write_bytes
from geo.data.catalog import Catalog
from geo.data.gazetteer import Gazetteer
from geo.data.reads import Reads
from geo.errors import UnknownChoiceError
from geo.figures.specs import FigureSpec
from geo.printing.figure import FORMATS, draw_figure, figure_bytes
from geo.printing.fonts import cjk_family, ensure_print_faces
from geo.printing.paper import Page

__all__ = ["PrintJob", "PrintRun", "drawing_order", "render_prints", "write_prints"]


@dataclass(frozen=True)
class PrintJob:
    """How to print: paper, resolution, formats, placement limit and date.

    Attributes
    ----------
    page
        Paper and orientation.
    dpi
        PNG resolution.
    formats
        Some of :data:`~geo.printing.figure.FORMATS`.
    max_accuracy_m
        Largest ``accuracy_m`` drawn as a point; ``None`` (default) keeps each
        figure's own (``FigureSpec.max_accuracy_m``).
    printed
        Print date stated in the source block.
    """

    page: Page = field(default_factory=Page)
    dpi: float = 300.0
    formats: tuple[str, ...] = FORMATS
    max_accuracy_m: float | None = None
    printed: dt.date | None = None

    def __post_init__(self) -> None:
        bad = [f for f in self.formats if f not in FORMATS]
        if bad or not self.formats:
            raise UnknownChoiceError(
                f"unknown format(s) {', '.join(bad) or '(none)'}: use {', '.join(FORMATS)}"
            )
        self.page.pixels(self.dpi)  # checks the resolution


def _render_one(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    gazetteer: Gazetteer | None,
    job: PrintJob,
) -> tuple[dict[str, bytes], frozenset[str]]:

    reads = Reads(layers, catalog, gazetteer)
    fig = draw_figure(
        spec,
        reads.layers,
        reads.catalog,
        job.page,
        reads.gazetteer,
        job.max_accuracy_m,
        job.printed,
    )
    title = f"{spec.title_zh} — {spec.caption_en}"
    files = {fmt: figure_bytes(fig, fmt, job.dpi, job.page, title) for fmt in job.formats}
    return files, frozenset(reads.seen())


_WORKER: dict[str, Any] = {}
#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this process receive SIGKILL when its parent dies (Linux; elsewhere a no-op).

    Parameters
    ----------
    parent
        The parent's process id, as the parent saw it: if the parent has already
        died (this process was re-parented before asking), exit at once.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _init_worker(
    parent: int,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    gazetteer: Gazetteer | None,
    job: PrintJob,
) -> None:
    die_with_parent(parent)
    _WORKER.update(layers=layers, catalog=catalog, gazetteer=gazetteer, job=job)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers and drop the work not started (the results are not wanted)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            proc.kill()


def _render_in_worker(spec: FigureSpec) -> tuple[dict[str, bytes], frozenset[str]]:
    return _render_one(
        spec, _WORKER["layers"], _WORKER["catalog"], _WORKER["gazetteer"], _WORKER["job"]
    )


def render_prints(
    specs: Sequence[FigureSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    job: PrintJob | None = None,
    gazetteer: Gazetteer | None = None,
    workers: int = 1,
) -> Iterable[tuple[FigureSpec, dict[str, bytes], frozenset[str]]]:
    """Yield each figure, its rendered files (format → bytes) and the layers it read.

    Parameters
    ----------
    specs
        Figures to print, yielded in this order.
    layers
        Loaded layers by catalog id, EPSG:4326.
    catalog
        The layer catalog.
    job
        Paper, resolution and formats (default A4 landscape, 300 dpi, PNG and PDF).
    gazetteer
        Locates the areas coarse features are counted on.
    workers
        Processes to draw in; 1 draws in this process.

    Yields
    ------
    tuple of (FigureSpec, dict of str to bytes, frozenset of str)
        What it read while drawing: layer ids, catalog fields and places
        (:class:`geo.data.reads.Reads`).
    """
    job = job or PrintJob()
    if workers <= 1 or len(specs) < 2:
        if specs and "pdf" in job.formats:
            ensure_print_faces(cjk_family())  # once per machine; every PDF then embeds from it
        for spec in specs:
            yield spec, *_render_one(spec, layers, catalog, gazetteer, job)
        return
    yield from PrintRun(specs, layers, catalog, job, gazetteer, workers)


def drawing_order(specs: Sequence[FigureSpec], layers: Mapping[str, gpd.GeoDataFrame]) -> list[int]:
    """Return the positions of ``specs`` in the order their drawing starts: the largest first.

    A figure's work grows with the features it draws (and labels); started first,
    the largest do not leave one worker finishing alone at the end. Figures of equal
    size keep their order.

    Parameters
    ----------
    specs
        The figures to print.
    layers
        Loaded layers by catalog id.

    Returns
    -------
    list of int
    """

    def features(i: int) -> int:
        return sum(len(layers[lid]) for lid in specs[i].layers if lid in layers)

    return sorted(range(len(specs)), key=features, reverse=True)


class PrintRun:
    """Prints drawing in worker processes from the moment this is made.

    The largest figures start first (:func:`drawing_order`). Iterating yields what
    :func:`render_prints` yields, in the order of ``specs``, as the workers finish;
    meanwhile this process is free (the site build writes its pages).
    :meth:`close` stops the workers when the results are no longer wanted.

    Parameters
    ----------
    specs, layers, catalog, job, gazetteer
        As for :func:`render_prints`.
    workers
        Processes to draw in (at least one, at most one per figure).
    """

    def __init__(
        self,
        specs: Sequence[FigureSpec],
        layers: Mapping[str, gpd.GeoDataFrame],
        catalog: Catalog,
        job: PrintJob | None = None,
        gazetteer: Gazetteer | None = None,
        workers: int = 1,
    ) -> None:
        self.specs = list(specs)
        self._pool: ProcessPoolExecutor | None = None
        self._results: Iterable[tuple[dict[str, bytes], frozenset[str]]] = ()
        if not self.specs:
            return
        job = job or PrintJob()
        if "pdf" in job.formats:
            ensure_print_faces(cjk_family())  # before the workers start: they find it cut
        init = (os.getpid(), dict(layers), catalog, gazetteer, job)
        count = max(1, min(workers, len(self.specs)))
        self._pool = ProcessPoolExecutor(count, initializer=_init_worker, initargs=init)
        started = {
            i: self._pool.submit(_render_in_worker, self.specs[i])
            for i in drawing_order(self.specs, layers)
        }
        self._results = (started[i].result() for i in range(len(self.specs)))

    def __iter__(self) -> Iterator[tuple[FigureSpec, dict[str, bytes], frozenset[str]]]:
        finished = False
        try:
            for spec, (files, seen) in zip(self.specs, self._results, strict=True):
                yield spec, files, seen
            finished = True
        finally:
            self.close(wait=finished)

    def close(self, wait: bool = False) -> None:
        """Shut the workers down: wait for them, or kill them (the results are dropped)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if wait:
            pool.shutdown(wait=True)
        else:  # an error, an interrupt or a consumer that stopped: do not wait for workers
            _stop(pool)


def write_prints(
    out_dir: str | Path,
    specs: Sequence[FigureSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    job: PrintJob | None = None,
    gazetteer: Gazetteer | None = None,
    workers: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, dict[str, Path]]:
    """Print figures into ``out_dir`` as ``<id>.png`` and ``<id>.pdf``.

    Parameters
    ----------
    out_dir
        Output folder (created).
    specs, layers, catalog, job, gazetteer, workers
        As for :func:`render_prints`.
    progress
        Called with (figures written, figures, figure id) after each figure
        (e.g. :class:`geo.console.Progress`).

    Returns
    -------
    dict of str to dict of str to Path
        Figure id → format → file written.
    """
    out = Path(out_dir)
    written: dict[str, dict[str, Path]] = {}
    for spec, files, _seen in render_prints(specs, layers, catalog, job, gazetteer, workers):
        written[spec.id] = {
            fmt: atomic_write_bytes(out / f"{spec.id}.{fmt}", data) for fmt, data in files.items()
        }
        if progress is not None:
            progress(len(written), len(specs), spec.id)
    return written
