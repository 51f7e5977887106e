"""One build of a site folder, and the registry of the steps that build it.

:class:`SiteBuild` holds what a build reads (:class:`Inputs`), its manifest and
settings, and builds a unit (one figure page, one print ...) only when it is not
fresh. The steps of :func:`geo.site.build.build_site` are registered in
:data:`SITE_STEPS` by :mod:`geo.site.steps`; :mod:`geo.site.build` runs them. Both import
this module, and it imports neither.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.data.digests import code_version, file_digests, key_of, library_versions
from geo.data.reads import Reads, read_digests
from geo.registries import Registry
from geo.site.cache import Manifest

if TYPE_CHECKING:
    import datetime as dt

    from geo.data.catalog import Catalog
    from geo.data.gazetteer import Gazetteer
    from geo.project import LayerProblem, Project

__all__ = ["SITE_STEPS", "Inputs", "SiteBuild", "Step", "StepResult"]


# --------------------------------------------------------------------------- inputs
@dataclass
class Inputs:
    """Everything the site is built from, loaded once.

    Attributes
    ----------
    project
        The data folder (:class:`geo.Project`); it keeps the loaded layers, so the
        claims step reads them without loading them again.
    layers
        The layers that loaded (EPSG:4326) and are small enough to draw.
    digests
        Content hash of each loaded layer.
    files
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

    @functools.cached_property
    def data_files(self) -> dict[str, str]:
        """The hash of every file in the data folder, by path inside it."""
        return file_digests(self.project.folder)

    @property
    def problems(self) -> list[LayerProblem]:
        """The layers left out, each with its file, problem and fix."""
        return self.project.problems

    @property
    def skipped(self) -> list[str]:
        """A line per layer that did not load or is too large to draw."""
        return [p.not_drawn for p in self.problems]


# --------------------------------------------------------------------------- units
@dataclass
class StepResult:
    """What one step did.

    Attributes
    ----------
    name
        The step.
    built
        Units built.
    reused
        Units reused as they were.
    seconds
        Time taken.
    notes
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
    out
        The site folder.
    inputs
        What it is built from.
    today
        Date printed on the prints and the report PDF (part of their keys).
    jobs
        Processes drawing prints.
    """

    def __init__(self, out: Path, inputs: Inputs, today: dt.date, jobs: int = 2) -> None:
        self.out = out
        self.inputs = inputs
        self.today = today
        self.jobs = jobs
        self.manifest = Manifest(out)
        self.versions = (code_version(), library_versions())
        #: The prints drawing in the background (:func:`geo.site.steps.start_prints`).
        self.prints: tuple[dict[str, Any], Any] | None = None
        #: Results units share (the measurement report, each figure's depiction), with
        #: what computing them read (:meth:`geo.data.reads.Reads.shared`).
        self.memo: dict[str, tuple[Any, set[str]]] = {}
        #: Told (units done, units, unit) as a long step finishes each unit, e.g. a print.
        self.progress: Callable[[int, int, str], None] | None = None

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
        return Reads(self.inputs.layers, self.inputs.catalog, self.inputs.places, self.memo)

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
        step
            Collects the unit's name as built or reused.
        unit
            The unit's name in the manifest.
        settings
            Its inputs besides the layers it reads (hashes, options).
        build
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


#: A step: ``step(build, step_result)`` builds its units, noting each in the result.
Step = Callable[[SiteBuild, StepResult], None]
#: The steps of :func:`geo.site.build.build_site`, in the order they run (registered by
#: :mod:`geo.site.steps`).
SITE_STEPS: Registry[Step] = Registry("site step")
