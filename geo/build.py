"""Build the whole site in one process, and only what changed.

:func:`build_site` writes what ``make maps`` publishes: the report tables, the
claims report, the prints with the report pages and ``report.pdf``, the locate
page, the self-contained offline maps, their thumbnails, the online maps and both
index pages. The data are loaded once. Each unit (one figure page, one print, one
thumbnail ...) is built only when the hash of its inputs changed or a file it wrote
was edited or deleted (see :mod:`geo.buildcache`); one line per step says whether
it was built or reused and how long it took.

>>> from geo.build import build_site
>>> build_site("site")                                   # doctest: +SKIP
report      reused   0.0 s
...
"""

from __future__ import annotations

import datetime as dt
import functools
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._errors import LayerLoadWarning, OutputFolderError
from geo.buildcache import (
    Manifest,
    Reads,
    code_version,
    digest_of,
    file_digests,
    frame_digest,
    key_of,
    library_versions,
    read_digests,
)

if TYPE_CHECKING:
    from geo.catalog import Catalog
    from geo.gazetteer import Gazetteer
    from geo.project import LayerProblem, Project

__all__ = ["STEPS", "Inputs", "SiteBuild", "StepResult", "build_site", "load_inputs"]


# --------------------------------------------------------------------------- inputs
@dataclass
class Inputs:
    """Everything the site is built from, loaded once.

    Attributes
    ----------
    project : Project
        The data folder (:class:`geo.Project`); it keeps the loaded layers, so the
        claims step reads them without loading them again.
    layers : dict of str to GeoDataFrame
        The layers that loaded (EPSG:4326) and are small enough to draw.
    digests : dict of str to str
        Content hash of each loaded layer.
    files : dict of str to str
        Hashes of the data read whole: ``catalog``, ``gazetteer``, ``data`` (the
        layers folder) and ``sources``.
    """

    project: Project
    layers: dict[str, Any]
    digests: dict[str, str]
    files: dict[str, str]

    @property
    def catalog(self) -> Catalog:
        """The layer catalog."""
        return self.project.catalog

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer."""
        return self.project.gazetteer

    @functools.cached_property
    def places(self) -> Gazetteer | None:
        """The gazetteer, read once; ``None`` when the folder has none or it cannot be read.

        The layers that name a place say so in their problems.
        """
        try:
            return self.project.gazetteer
        except (FileNotFoundError, ValueError):
            return None

    @property
    def problems(self) -> list[LayerProblem]:
        """The layers left out, each with its file, problem and fix."""
        return self.project.problems

    @property
    def skipped(self) -> list[str]:
        """A line per layer that did not load or is too large to draw."""
        return [p.not_drawn for p in self.problems]


def load_inputs(project: Project | None = None) -> Inputs:
    """Load the catalog, every layer and the hashes of the data files.

    Parameters
    ----------
    project : Project, optional
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


# --------------------------------------------------------------------------- units
@dataclass
class StepResult:
    """What one step did.

    Attributes
    ----------
    name : str
        The step.
    built : list of str
        Units built.
    reused : list of str
        Units reused as they were.
    seconds : float
        Time taken.
    notes : list of str
        Warnings raised while building (a layer not drawn, a page over budget).
    """

    name: str
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """Return the progress line: step, built or reused, seconds, what was built."""
        status = "built" if self.built else "reused"
        detail = ""
        if self.built and self.reused:
            detail = f"  {len(self.built)} of {len(self.built) + len(self.reused)}"
        if self.built and len(self.built) + len(self.reused) > 1:
            detail += f" ({', '.join(self.built)})"
        return f"{self.name:<12}{status:<8}{self.seconds:6.1f} s{detail}"


class SiteBuild:
    """One build of a site folder: the inputs, the manifest and the settings.

    Parameters
    ----------
    out : Path
        The site folder.
    inputs : Inputs
        What it is built from.
    today : datetime.date
        Date printed on the prints and the report PDF (part of their keys).
    jobs : int
        Processes drawing prints.
    """

    def __init__(self, out: Path, inputs: Inputs, today: dt.date, jobs: int = 2) -> None:
        self.out = out
        self.inputs = inputs
        self.today = today
        self.jobs = jobs
        self.manifest = Manifest(out)
        self.versions = (code_version(), library_versions())
        #: The prints drawing in the background (:func:`geo.site_steps.start_prints`).
        self.prints: tuple[dict[str, Any], Any] | None = None
        #: Results two units share (the measurement report), with what computing them read.
        self.memo: dict[str, tuple[Any, set[str]]] = {}

    def key(self, unit: str, settings: Sequence[Any], reads: Iterable[str]) -> str:
        """Return a unit's key: its settings, what it read, the catalog's ids, code, libraries.

        The catalog's ids in order are part of every key: a layer added, removed or
        moved changes every figure's list of layers.
        """
        inputs = self.inputs
        used = read_digests(
            reads, inputs.digests, inputs.catalog, inputs.places, inputs.files["gazetteer"]
        )
        ids = list(inputs.catalog.layers)
        return key_of(unit, list(settings), ids, used, *self.versions)

    def fresh(self, unit: str, settings: Sequence[Any]) -> bool:
        """Return whether a unit's recorded key still holds and its files are intact."""
        seen = self.manifest.reads_of(unit)
        return seen is not None and self.manifest.fresh(unit, self.key(unit, settings, seen))

    def record(
        self, unit: str, settings: Sequence[Any], outputs: Iterable[Path], seen: Iterable[str]
    ) -> None:
        """Note a unit just built: its key from what it read, and its files."""
        seen = list(seen)
        self.manifest.record(unit, self.key(unit, settings, seen), outputs, seen)

    def reads(self) -> Reads:
        """Return the layers, catalog and gazetteer to hand a unit, noting what it reads."""
        return Reads(self.inputs.layers, self.inputs.catalog, self.inputs.places)

    def unit(
        self,
        step: StepResult,
        unit: str,
        settings: Sequence[Any],
        build: Callable[[Reads], list[Path]],
    ) -> None:
        """Build one unit unless it is fresh; ``build`` gets what to read (:class:`Reads`).

        Parameters
        ----------
        step : StepResult
            Collects the unit's name as built or reused.
        unit : str
            The unit's name in the manifest.
        settings : sequence
            Its inputs besides the layers it reads (hashes, options).
        build : callable
            Writes the unit's files from the layers, catalog and gazetteer of the
            :class:`Reads` it is given (and only those: whatever it hands on, it
            hands on from there); returns the paths.
        """
        if self.fresh(unit, settings):
            step.reused.append(unit)
            return
        reads = self.reads()
        outputs = build(reads)
        self.record(unit, settings, outputs, reads.seen())
        self.manifest.save()  # a stopped build keeps what it finished
        step.built.append(unit)


# --------------------------------------------------------------------------- orchestrator
#: The steps of :func:`build_site`, in order: ``step_<name>`` of :mod:`geo.site_steps`.
STEPS: tuple[str, ...] = (
    "report",
    "claims",
    "print",
    "locate",
    "offline",
    "thumbnails",
    "online",
    "figures",
    "index",
)


def build_site(
    out: str | Path,
    jobs: int = 2,
    steps: Sequence[str] = STEPS,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = print,
) -> list[StepResult]:
    """Build every page, print and report of the site into ``out``, reusing what holds.

    Parameters
    ----------
    out : str or Path
        The site folder (created if missing).
    jobs : int
        Processes drawing prints.
    steps : sequence of str
        Steps to run, in :data:`STEPS` order (default all; leave out ``thumbnails``
        where there is no Chromium).
    today : datetime.date, optional
        Date on the prints and the report PDF (default today).
    progress : callable, optional
        Called with one line per step; ``None`` for silence.

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
    from geo import site_steps
    from geo.maps.site import check_must_see
    from geo.maps.specs import all_specs

    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        raise ValueError(f"unknown step(s) {', '.join(unknown)}: use {', '.join(STEPS)}")
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
    try:
        if "print" in steps:  # the prints draw in other processes while the pages are written
            site_steps.start_prints(build)
        for name in (s for s in STEPS if s in steps):
            results.append(_run_step(build, name, progress))
    finally:
        if build.prints is not None:
            build.prints[1].close()  # a build stopped early leaves no worker behind
    build.manifest.save()
    return results


def _run_step(build: SiteBuild, name: str, progress: Callable[[str], None] | None) -> StepResult:
    """Run one step of :data:`STEPS`, timing it and keeping the warnings it raised."""
    from geo import site_steps

    step = StepResult(name)
    started = time.perf_counter()
    run = functools.partial(getattr(site_steps, f"step_{name}"), build, step)
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
    out : Path
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
    run : callable
        What to run.

    Returns
    -------
    tuple of (object, list of str)
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    return result, list(dict.fromkeys(str(w.message) for w in caught))
