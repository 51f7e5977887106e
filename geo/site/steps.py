"""The steps of :func:`geo.site.build.build_site`, one function each.

Each ``step_<name>(build, step)`` builds the units of one part of the site that are
not fresh (see :class:`geo.site.state.SiteBuild`) and notes, in ``step``, which it built
and which it reused; it is registered in :data:`geo.site.state.SITE_STEPS` under
``<name>``, and the steps run in the order they are registered here. The files are
those the separate commands write: ``geo report``, ``geo claims --out
site/claims``, ``geo print --report site``, ``geo gazetteer locate``, ``geo maps
--offline --basemap none``, the thumbnails and ``geo maps``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._io import atomic_write_bytes, atomic_write_text, write_if_changed
from geo.data.digests import digest_of, file_digest
from geo.maps.basemaps import resolve_basemap
from geo.maps.browser import CHROMIUM
from geo.site.state import SITE_STEPS, SiteBuild, StepResult

if TYPE_CHECKING:
    from geo.data.reads import Reads

__all__ = [
    "PRINT_SETTINGS",
    "start_prints",
    "step_claims",
    "step_figures",
    "step_index",
    "step_locate",
    "step_offline",
    "step_online",
    "step_print",
    "step_report",
    "step_thumbnails",
]

#: Paper, orientation, resolution, formats and placement limit of the site's prints
#: (``geo print``'s defaults).
PRINT_SETTINGS: dict[str, Any] = {
    "paper": "A4",
    "orientation": "landscape",
    "dpi": 300.0,
    "formats": ("png", "pdf"),
    "max_accuracy_m": None,  # each figure's own (FigureSpec.max_accuracy_m)
}
#: Basemap of the online pages, the claims map and the locate page (the commands' default).
ONLINE_BASEMAP = "osm"


def _specs(build: SiteBuild) -> list[Any]:
    from geo.figures.specs import all_specs

    return list(all_specs(build.inputs.catalog))


def _report(build: SiteBuild, reads: Reads) -> Any:
    """Compute the measurement report from the layers and catalog (noting what it reads).

    Computed once per build (:meth:`geo.data.reads.Reads.shared`): the report tables
    and the report pages share it.
    """
    from geo.report.sections import build_report
    from geo.site.report_files import report_missing

    def compute(own: Reads) -> Any:
        layers, catalog = own.layers, own.catalog
        return build_report(layers, catalog, report_missing(layers, catalog, build.inputs.problems))

    return reads.shared("report", compute)


# --------------------------------------------------------------------------- steps
@SITE_STEPS.register("report")
def step_report(build: SiteBuild, step: StepResult) -> None:
    """Write the report tables, ``reports/*.csv`` (``geo report``)."""
    from geo.site.report_files import write_report_csv

    def write(reads: Reads) -> list[Path]:
        return write_report_csv(_report(build, reads), build.out / "reports")

    build.unit(step, "report", [], write)


class _ClaimsProject:
    """The project as the claims unit sees it: its catalog notes each field read.

    Everything else (the layers, already loaded; the gazetteer; the ledger) is the
    project's own.

    Parameters
    ----------
    project
        The data folder.
    reads
        Where the catalog reads are noted.
    """

    def __init__(self, project: Any, reads: Reads) -> None:
        self._project = project
        self._reads = reads

    @property
    def catalog(self) -> Any:
        """The catalog, noting each field read (``catalog:<id>.<field>``)."""
        return self._reads.catalog

    def __getattr__(self, name: str) -> Any:
        return getattr(self._project, name)


def _claims_settings(build: SiteBuild) -> list[Any]:
    """Return what the claims unit reads besides the catalog fields it notes.

    Every data file but the catalog (the gazetteer, the ledger, the layers' files),
    the sources, and each layer not drawn with its whole catalog entry (the checks
    load even a layer too large to draw; the content of those drawn is in the
    key as layer hashes).
    """
    inputs = build.inputs
    catalog_file = inputs.project.catalog_path.name
    files = {rel: h for rel, h in inputs.data_files.items() if rel != catalog_file}
    catalog = inputs.catalog.layers
    aside = [[p.layer, p.problem, repr(catalog.get(p.layer))] for p in inputs.problems]
    return [digest_of(files), inputs.files["sources"], aside, ONLINE_BASEMAP]


@SITE_STEPS.register("claims")
def step_claims(build: SiteBuild, step: StepResult) -> None:
    """Write the claims report into ``claims/`` (``geo claims --out``).

    Its key holds the data files it reads but the catalog, the hash of every layer
    (a catalog change to where or how a layer loads changes its content) and the
    catalog fields the checks and pages read: a layer's title reworded does not
    judge the claims again.
    """
    from geo.claims.context import load_context
    from geo.claims.outputs import write_outputs

    def write(reads: Reads) -> list[Path]:
        reads.note([*build.inputs.layers, "*"])  # the checks take every layer loaded
        context = load_context(_ClaimsProject(build.inputs.project, reads))  # type: ignore[arg-type]
        return write_outputs(build.out / "claims", context, basemap=ONLINE_BASEMAP)

    build.unit(step, "claims", _claims_settings(build), write)


def _print_job(build: SiteBuild) -> Any:
    from geo.printing.output import PrintJob
    from geo.printing.paper import Page

    s = PRINT_SETTINGS
    page = Page(s["paper"], s["orientation"])
    return PrintJob(page, s["dpi"], s["formats"], s["max_accuracy_m"], build.today)


def start_prints(build: SiteBuild) -> None:
    """Start drawing the prints that are not fresh in worker processes, at once.

    They draw while the other steps run; :func:`step_print` collects them
    (``build.prints``, closed by :func:`geo.site.build.build_site` when the build stops).
    """
    from geo.printing.output import PrintRun

    job = _print_job(build)
    specs = _specs(build)
    settings = {sp.id: [repr(sp), repr(job)] for sp in specs}
    stale = [sp for sp in specs if not build.fresh(f"print:{sp.id}", settings[sp.id])]
    inputs = build.inputs
    run = PrintRun(stale, inputs.layers, inputs.catalog, job, inputs.places, build.jobs)
    build.prints = (settings, run)


@SITE_STEPS.register("print")
def step_print(build: SiteBuild, step: StepResult) -> None:
    """Print every figure into ``print/``, then the report pages and ``report.pdf``."""
    from geo.printing.report_pages import write_report_pages

    if build.prints is None:
        start_prints(build)
    assert build.prints is not None  # set by start_prints
    settings, run = build.prints
    job, specs = _print_job(build), _specs(build)
    folder = build.out / "print"
    step.reused += [f"print:{sp.id}" for sp in specs if sp not in run.specs]
    for done, (spec, data, seen) in enumerate(run, start=1):
        paths = [atomic_write_bytes(folder / f"{spec.id}.{fmt}", b) for fmt, b in data.items()]
        build.record(f"print:{spec.id}", settings[spec.id], paths, seen)
        build.manifest.save()
        step.built.append(f"print:{spec.id}")
        if build.progress is not None:
            build.progress(done, len(run.specs) + 1, f"print {spec.id}")
    written = {sp.id: {fmt: folder / f"{sp.id}.{fmt}" for fmt in job.formats} for sp in specs}
    pdfs = [file_digest(written[sp.id]["pdf"]) for sp in specs if "pdf" in written[sp.id]]
    claims_csv = file_digest(build.out / "claims" / "claims_report.csv")
    pages = [[repr(sp) for sp in specs], pdfs, claims_csv, build.today.isoformat()]

    def write(reads: Reads) -> list[Path]:
        rep = _report(build, reads)
        return write_report_pages(build.out, folder, rep, specs, written, None, build.today)

    build.unit(step, "report-pages", pages, write)
    if build.progress is not None:
        build.progress(len(run.specs) + 1, len(run.specs) + 1, "report pages")


@SITE_STEPS.register("locate")
def step_locate(build: SiteBuild, step: StepResult) -> None:
    """Write the locate page, ``locate.html`` (``geo gazetteer locate``)."""
    from geo.maps.locate import locate_page

    def write(reads: Reads) -> list[Path]:
        layers = reads.layers
        district = layers["district"].geometry.union_all() if "district" in layers else None
        page = locate_page(build.inputs.gazetteer, resolve_basemap(ONLINE_BASEMAP), district)
        return [atomic_write_text(build.out / "locate.html", page)]

    settings = [build.inputs.files["gazetteer"], ONLINE_BASEMAP]
    build.unit(step, "locate", settings, write)


def _figure_pages(build: SiteBuild, step: StepResult, folder: Path, basemap: str) -> None:
    """Write every figure page into ``folder`` (offline when the basemap is ``none``)."""
    from geo.maps.site import write_page

    offline = basemap == "none"
    bm = resolve_basemap(basemap)
    for spec in _specs(build):

        def write(reads: Reads, spec: Any = spec) -> list[Path]:
            return write_page(
                spec, reads.layers, reads.catalog, folder, bm, offline, reads.gazetteer
            )

        unit = f"{folder.name if offline else 'online'}:{spec.id}"
        build.unit(step, unit, [repr(spec), basemap, offline], write)


@SITE_STEPS.register("offline")
def step_offline(build: SiteBuild, step: StepResult) -> None:
    """Write the self-contained maps into ``offline/`` (no tiles, no network)."""
    _figure_pages(build, step, build.out / "offline", "none")


def _browser_version() -> list[int]:
    """Size and modification time of the browser: a new Chromium retakes thumbnails."""
    try:
        st = Path(CHROMIUM).stat()
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns]


def _no_camera() -> str:
    """Return why thumbnails cannot be taken here (Chromium or playwright missing), or ""."""
    from importlib.util import find_spec

    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (make chromium, or apt-get install chromium)"
    if find_spec("playwright") is None:
        return "playwright is not installed (pip install 'shapingba-geo[site]')"
    return ""


@SITE_STEPS.register("thumbnails")
def step_thumbnails(build: SiteBuild, step: StepResult) -> None:
    """Photograph each offline map into ``screenshots/`` when its page changed."""
    from geo.maps.thumbnails import SIZE, figure_pages, photograph

    why = _no_camera()
    if why:
        step.notes.append(f"thumbnails skipped: {why}")
        return
    folder = build.out / "screenshots"
    pages = figure_pages(build.out / "offline")
    settings = {p.stem: [file_digest(p), list(SIZE), False, _browser_version()] for p in pages}
    stale = [p for p in pages if not build.fresh(f"thumbnail:{p.stem}", settings[p.stem])]
    step.reused += [f"thumbnail:{p.stem}" for p in pages if p not in stale]
    for stem, png in photograph(stale).items():
        path = atomic_write_bytes(folder / f"{stem}.png", png)
        build.record(f"thumbnail:{stem}", settings[stem], [path], ())
        step.built.append(f"thumbnail:{stem}")
    build.manifest.save()


@SITE_STEPS.register("online")
def step_online(build: SiteBuild, step: StepResult) -> None:
    """Write the online maps into the site folder, with the shared ``assets/``."""
    _figure_pages(build, step, build.out, ONLINE_BASEMAP)


@SITE_STEPS.register("figures")
def step_figures(build: SiteBuild, step: StepResult) -> None:
    """Write ``figures.json``: how every figure shows each feature (``geo maps``)."""
    from geo.figures.depiction import RECORD_NAME, figures_json

    specs = _specs(build)

    def write(reads: Reads) -> list[Path]:
        data = figures_json(specs, reads.layers, reads.catalog)
        return [atomic_write_bytes(build.out / RECORD_NAME, data)]

    build.unit(step, "figures", [repr(sp) for sp in specs], write)


@SITE_STEPS.register("index")
def step_index(build: SiteBuild, step: StepResult) -> None:
    """Write both index pages when their content changed (they list what exists and draws)."""
    from geo.maps.site import first_glance, index_html

    specs = _specs(build)
    drawn = first_glance(specs, build.inputs.catalog, build.inputs.layers)
    for folder, unit in ((build.out / "offline", "offline-index"), (build.out, "index")):
        listed = [s for s in specs if (folder / s.filename).exists()]
        changed = write_if_changed(folder / "index.html", index_html(listed, folder, drawn))
        (step.built if changed else step.reused).append(unit)
