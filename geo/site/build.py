"""Build the whole site in one process, and only what changed.

:func:`build_site` writes what ``make maps`` publishes: the report tables, the
claims report, the prints with the report pages and ``report.pdf``, the locate
page, the self-contained offline maps, their thumbnails, the online maps and both
index pages. The data are loaded once. Each unit (one figure page, one print, one
thumbnail ...) is built only when the hash of its inputs changed or a file it wrote
was edited or deleted (see :mod:`geo.site.cache`); one line per step says whether
it was built or reused and how long it took.

>>> import tempfile
>>> from geo.site.build import build_site
>>> with tempfile.TemporaryDirectory() as tmp:              # build_site("site"): all steps
...     results = build_site(f"{tmp}/site", steps=["locate"])
load        read   ... s  ... layers
locate      built  ... s
>>> [(r.name, r.built) for r in results]
[('load', []), ('locate', ['locate'])]
"""

from __future__ import annotations

import datetime as dt
import functools
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.data.digests import digest_of, file_digests, frame_digest
from geo.errors import LayerLoadWarning, OutputFolderError, UnknownChoiceError
from geo.site import steps as site_steps
from geo.site.state import SITE_STEPS, Inputs, SiteBuild, StepResult

if TYPE_CHECKING:
    from geo.project import Project

__all__ = [
    "COLLECTING",
    "STEPS",
    "Inputs",
    "SiteBuild",
    "StepResult",
    "build_site",
    "load_inputs",
    "run_order",
]


def load_inputs(project: Project | None = None) -> Inputs:
    """Load the catalog, every layer and the hashes of the data files.

    Parameters
    ----------
    project
        The data folder; default the packaged data or ``GEO_LAYERS_DIR``.

    Returns
    -------
    Inputs
    """
    from geo._data import sources_dir
    from geo.project import Project

    proj = Project() if project is None else project
    with warnings.catch_warnings():  # each layer left out is one line of `skipped`
        warnings.simplefilter("ignore", LayerLoadWarning)
        layers = proj.layers(within_limits=True)
    data = file_digests(proj.folder)
    files = {
        "catalog": data.get(proj.catalog_path.name, ""),
        "gazetteer": data.get(proj.gazetteer_path.name, ""),
        "data": digest_of(data),
        "sources": digest_of(file_digests(sources_dir())),
    }
    digests = {lid: frame_digest(gdf) for lid, gdf in layers.items()}
    return Inputs(proj, layers, digests, files)


# --------------------------------------------------------------------------- orchestrator
#: The steps of :func:`build_site`, in order: the names in :data:`geo.site.state.SITE_STEPS`
#: (registered by :mod:`geo.site.steps`).
STEPS: tuple[str, ...] = SITE_STEPS.names()


def build_site(
    out: str | Path,
    jobs: int = 2,
    steps: Sequence[str] | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = print,
    units: Callable[[int, int, str], None] | None = None,
) -> list[StepResult]:
    """Build every page, print and report of the site into ``out``, reusing what holds.

    Parameters
    ----------
    out
        The site folder (created if missing).
    jobs
        Processes drawing prints.
    steps
        Steps to run (default all; leave out ``thumbnails`` where there is no
        Chromium), in the order of :data:`geo.site.state.SITE_STEPS`, except that
        ``print``, which waits for the workers drawing the prints, runs just before
        ``index`` (:func:`run_order`).
    today
        Date on the prints and the report PDF (default today).
    progress
        Called with one line per step; ``None`` for silence.
    units
        Called with (units done, units, unit) inside a long step, e.g. as each print
        is written (:class:`geo.console.Progress`); ``None`` for silence.

    Returns
    -------
    list of StepResult
        ``load`` first (its notes: the layers not drawn), then one per step run.

    Raises
    ------
    EmptyMustSeeLayerError
        Before anything is written, if a figure's ``must_see`` names a layer with no
        features (:func:`geo.maps.site.check_must_see`).
    """
    from geo.figures.specs import all_specs
    from geo.maps.site import check_must_see

    known = SITE_STEPS.names()
    steps = known if steps is None else steps
    unknown = sorted(set(steps) - set(known))
    if unknown:
        raise UnknownChoiceError(f"unknown step(s) {', '.join(unknown)}: use {', '.join(known)}")
    check_output_folder(Path(out))
    loading = StepResult("load")
    started = time.perf_counter()
    inputs = load_inputs()
    check_must_see(all_specs(inputs.catalog), inputs.catalog, inputs.layers)
    loading.reused, loading.notes = sorted(inputs.layers), list(inputs.skipped)
    loading.seconds = time.perf_counter() - started
    results = [loading]
    if progress is not None:
        progress(f"{'load':<12}{'read':<8}{loading.seconds:6.1f} s  {len(inputs.layers)} layers")
    build = SiteBuild(Path(out), inputs, today or dt.date.today(), jobs)
    build.progress = units
    try:
        if "print" in steps:  # the prints draw in other processes while the pages are written
            site_steps.start_prints(build)
        for name in run_order(known, steps):
            results.append(_run_step(build, name, progress))
    finally:
        if build.prints is not None:
            build.prints[1].close()  # a build stopped early leaves no worker behind
    build.manifest.save()
    return results


#: Steps that collect what worker processes draw, and the step that must follow them:
#: they run after every other step before it, so that this process writes the pages
#: while the workers draw (the index links the prints, so it waits for them).
COLLECTING: dict[str, str] = {"print": "index"}


def run_order(known: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """Return the steps to run, in the order of ``known``, the collecting ones moved later.

    Each step of :data:`COLLECTING` runs just before the step that needs it (last if
    that step is not run).

    Parameters
    ----------
    known
        Every step, in the order registered.
    chosen
        The steps to run.

    Returns
    -------
    list of str

    Examples
    --------
    >>> run_order(["report", "print", "offline", "online", "index"], ["print", "online", "index"])
    ['online', 'print', 'index']
    >>> run_order(["report", "print", "offline"], ["report", "print", "offline"])
    ['report', 'offline', 'print']
    """
    order = [s for s in known if s in chosen]
    for step, before in COLLECTING.items():
        if step in order:
            order.remove(step)
            order.insert(order.index(before) if before in order else len(order), step)
    return order


def _run_step(build: SiteBuild, name: str, progress: Callable[[str], None] | None) -> StepResult:
    """Run one step of :data:`geo.site.state.SITE_STEPS`, timing it and keeping its warnings."""
    step = StepResult(name)
    started = time.perf_counter()
    run = functools.partial(SITE_STEPS[name], build, step)
    _, notes = captured_warnings(run)
    step.notes += notes
    step.seconds = time.perf_counter() - started
    if progress is not None:
        progress(step.line())
    return step


def check_output_folder(out: Path) -> None:
    """Refuse an output folder holding a symbolic link that leads out of it.

    The build writes only inside ``out``; a ``print/`` (or any entry) that is a link
    to another folder would put files there and break the manifest's bookkeeping.
    Checked before anything is written.

    Parameters
    ----------
    out
        The site folder (it may itself be a link, and may not exist yet).

    Raises
    ------
    OutputFolderError
        Naming every such entry and the fix.
    """
    if not out.is_dir():
        return
    root = out.resolve()
    leaving = sorted(
        p for p in out.iterdir() if p.is_symlink() and not p.resolve().is_relative_to(root)
    )
    if leaving:
        names = ", ".join(f"{p} -> {p.resolve()}" for p in leaving)
        raise OutputFolderError(
            f"{names}: a symbolic link leading out of the site folder {out}; remove the "
            "link (the site writes only inside its folder) or choose another --out"
        )


def captured_warnings(run: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run ``run()`` and return its result and the distinct warnings it raised.

    Parameters
    ----------
    run
        What to run.

    Returns
    -------
    tuple of (object, list of str)
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    return result, list(dict.fromkeys(str(w.message) for w in caught))
