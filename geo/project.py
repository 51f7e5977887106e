"""The one entry to a data folder: its catalog, gazetteer, claims ledger and layers.

>>> import geo
>>> project = geo.Project()  # this checkout's data (geo.Project("my/layers"): yours, `geo init`)
>>> len(project.layer("rings"))                        # one layer, derived ones computed
5
>>> "district" in project.layers(), project.problems   # every layer that loads; why others did not
(True, [])

Layers are loaded when first asked for and kept. A layer that fails to load is
set aside with the file and the fix (:class:`LayerProblem`), reported once as a
:class:`~geo.errors.LayerLoadWarning`, and the caller gets the layers that loaded.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from geo import _data, limits
from geo.data.catalog import Catalog, LayerSpec, layer_path, read_catalog
from geo.data.derived_cache import LayerCache, derive_kept, noting_warnings
from geo.errors import (
    CatalogError,
    CRSError,
    DataFileError,
    DeriveError,
    GazetteerError,
    GeoError,
    LayerLoadWarning,
    LayerValidationError,
    Problem,
    UnknownLayerError,
)

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    from geo.data.gazetteer import Gazetteer
    from geo.figures.specs import FigureSpec

__all__ = ["LOAD_ERRORS", "LayerProblem", "LayerSummary", "Project", "load_for_maps"]

#: What a layer that cannot be loaded raises: the toolkit's errors and unreadable
#: files. Anything else is a bug and propagates.
LOAD_ERRORS: tuple[type[BaseException], ...] = (GeoError, OSError)

#: What to do about a layer that does not load, by the kind of failure.
_FIXES: tuple[tuple[type[BaseException], str], ...] = (
    (LayerValidationError, "fix the problems listed (`geo validate FILE` shows each one)"),
    (GazetteerError, "add the place to gazetteer.csv, or correct the name in the layer"),
    (DeriveError, "fix the rule in catalog.yaml, or the layers it reads"),
    (UnknownLayerError, "use a layer id of the catalog (`geo layers` lists them)"),
    (CatalogError, "fix the layer's entry in catalog.yaml"),
    (OSError, "check that the file exists and can be read"),
)
_LOAD_FIX = "fix what the message names (for a derived layer, in the layers its rule reads)"
#: What to do about an invalid shape, by where the layer comes from.
_SOURCE_FIX = "fix the outline (e.g. shapely.make_valid or QGIS 'Fix geometries')"
_DERIVED_FIX = "the rule made an invalid shape: check its inputs and report the rule"


@dataclass(frozen=True)
class LayerProblem:
    """Why one layer was left out.

    Attributes
    ----------
    layer
        The layer id.
    file
        The layer's file, or the catalog for a derived layer.
    problem
        What went wrong (the error's message).
    fix
        What to do about it.
    """

    layer: str
    file: str
    problem: str
    fix: str

    def __str__(self) -> str:
        head = f"layer {self.layer} does not load ({self.file}): {self.problem}"
        # a problem of several lines (each with its own fix) gets the fix on a line below
        return (
            f"{head}\n  fix: {self.fix}" if "\n" in self.problem else f"{head} -> fix: {self.fix}"
        )

    @property
    def not_drawn(self) -> str:
        """One line for a map or print that leaves the layer out."""
        return f"layer {self.layer} not drawn: {self.problem}; {self.fix}"

    @property
    def first_line(self) -> str:
        """The problem's first line (a validation error lists every problem below it)."""
        return self.problem.splitlines()[0] if self.problem else "unknown problem"

    def as_problem(self, listed: bool = False) -> Problem:
        """Return the same as a file :class:`~geo.errors.Problem` (feature ``-``).

        Parameters
        ----------
        listed
            The file's problems are listed already: say so instead of repeating them.
        """
        if listed:
            why, fix = "its file's problems are listed above", "fix those problems"
            return Problem(self.file, "-", f"layer {self.layer} does not load: {why}", fix)
        return Problem(
            self.file, "-", f"layer {self.layer} does not load: {self.problem}", self.fix
        )


@dataclass(frozen=True)
class LayerSummary:
    """A catalog layer and, once loaded, what its features are.

    Attributes
    ----------
    spec
        The catalog entry.
    features
        Number of features; ``None`` when not loaded (or it failed).
    sources
        Features per ``geometry_source``.
    worst_accuracy_m
        The largest ``accuracy_m``.
    problem
        Why the layer did not load.
    """

    spec: LayerSpec
    features: int | None = None
    sources: dict[str, int] = field(default_factory=dict)
    worst_accuracy_m: float | None = None
    problem: str | None = None

    #: Column names of :meth:`row`.
    HEADER = ("id", "title_zh", "title_en", "geometry", "role", "features", "sources", "worst_m")

    def row(self) -> list[str]:
        """Return the summary as text cells, in the order of :attr:`HEADER`."""
        s = self.spec
        head = [s.id, s.title_zh, s.title_en, s.geometry_type, s.role]
        if self.problem is not None:
            return [*head, "ERROR", "-", "-"]
        if self.features is None:
            return [*head, "-", "-", "-"]
        mix = " ".join(f"{k}:{v}" for k, v in self.sources.items())
        worst = "-" if self.worst_accuracy_m is None else f"{self.worst_accuracy_m:,.0f}"
        return [*head, str(self.features), mix, worst]

    def __repr__(self) -> str:
        cells = dict(zip(self.HEADER, self.row(), strict=True))
        if self.problem is not None:
            return f"<Layer {self.spec.id}: does not load: {self.problem.splitlines()[0]}>"
        return (
            f"<Layer {self.spec.id}: {cells['title_zh']} {cells['title_en']} | "
            f"{cells['geometry']}, {cells['features']} features, sources {cells['sources']}, "
            f"worst ±{cells['worst_m']} m>"
        )

    def _repr_html_(self) -> str:
        return _html_table(f"Layer {self.spec.id}", list(self.HEADER), [self.row()])


def _html_table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    """Return an escaped HTML table (text only: data never becomes markup)."""
    cell = "<{0} style='text-align:left'>{1}</{0}>"
    head = "".join(cell.format("th", escape(h)) for h in header)
    body = "".join(
        "<tr>" + "".join(cell.format("td", escape(v)) for v in r) + "</tr>" for r in rows
    )
    return f"<table><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def fix_for(exc: BaseException) -> str:
    """Return what to do about a layer that raised ``exc`` while loading.

    Parameters
    ----------
    exc
        The error.

    Returns
    -------
    str
    """
    return next((fix for kind, fix in _FIXES if isinstance(exc, kind)), _LOAD_FIX)


class Project:
    """A layers folder: its catalog, gazetteer, claims ledger and layers.

    Parameters
    ----------
    folder
        The layers folder (holding ``catalog.yaml``), or a PostGIS DSN
        (``postgresql://…``, :mod:`geo.db`); default ``$GEO_DB``, else the folder
        :func:`geo._data.layers_dir` finds (``$GEO_LAYERS_DIR``, ``layers/``, the package's).

    Attributes
    ----------
    folder
        The layers folder (for a database, the copy it is read through).
    dsn
        The database, or ``None`` for a folder.
    versions
        For a database, ``table -> key -> version`` of the rows read (:mod:`geo.db.edits`).
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        from geo.db.snapshot import open_store

        self.dsn, pulled, self.versions = open_store(folder)
        self.folder = pulled or (Path(folder) if folder is not None else _data.layers_dir())
        _data.protect(self.folder)  # no output of this process may land in it
        self._loaded: dict[str, gpd.GeoDataFrame] = {}
        self._problems: dict[str, LayerProblem] = {}
        self._reported: set[str] = set()
        #: Derived layers, summaries and results kept between runs (:mod:`geo.data.derived_cache`).
        self.cache = LayerCache(self.folder, self.gazetteer_path, lambda: self.catalog)

    # ------------------------------------------------------------------ files
    @property
    def catalog_path(self) -> Path:
        """The catalog file, ``catalog.yaml``."""
        return self.folder / "catalog.yaml"

    @property
    def gazetteer_path(self) -> Path:
        """The gazetteer file, ``gazetteer.csv``."""
        return self.folder / "gazetteer.csv"

    @property
    def claims_path(self) -> Path:
        """The claims ledger, ``claims.csv``."""
        return self.folder / "claims.csv"

    @property
    def catalog(self) -> Catalog:
        """The catalog (read again when the file changes)."""
        return read_catalog(self.catalog_path)

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer (read again when the file changes)."""
        from geo.data.gazetteer import load_gazetteer

        return load_gazetteer(self.gazetteer_path)

    @property
    def problems(self) -> list[LayerProblem]:
        """Every layer left out so far, with the file, the problem and the fix."""
        return list(self._problems.values())

    def forget(self) -> None:
        """Drop the loaded layers and the problems, to read the files again."""
        self._loaded.clear()
        self._problems.clear()
        self._reported.clear()
        self.cache.forget()

    # ------------------------------------------------------------------ loading
    def layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Return one layer, validated, in EPSG:4326 (derived layers computed).

        Parameters
        ----------
        layer_id
            A catalog id.

        Returns
        -------
        geopandas.GeoDataFrame
            A copy: changing it changes nothing kept here.

        Raises
        ------
        UnknownLayerError
            If the catalog has no such layer.
        GeoError, OSError
            If the layer does not load (the message says why).
        """
        if layer_id not in self._loaded:
            catalog = self.catalog
            if layer_id not in catalog:
                raise UnknownLayerError(catalog.unknown_text([layer_id]))
            self._loaded[layer_id] = self._read(catalog[layer_id], catalog)
        return self._loaded[layer_id].copy()

    def _read(self, spec: LayerSpec, catalog: Catalog) -> gpd.GeoDataFrame:
        """Read a source layer's file, or compute a derived layer from the layers kept here."""
        from geo.data.inputs import read_layer_file

        if spec.is_derived:
            return derive_kept(self.cache, spec, self.layer)
        path = layer_path(spec.id, spec.file, catalog.folder or self.folder)
        # the gazetteer is handed as its file: read only if a feature names a place
        return read_layer_file(path, spec.crs, spec.geometry_type, self.gazetteer_path)

    def file_of(self, layer_id: str) -> str:
        """Name where a layer comes from: its file, or the catalog for a derived layer.

        Parameters
        ----------
        layer_id
            A layer id.

        Returns
        -------
        str
        """
        catalog = self.catalog
        if layer_id not in catalog:
            return str(self.catalog_path)
        spec = catalog[layer_id]
        if spec.is_derived:
            return f"{self.catalog_path} (derived layer {layer_id})"
        return str(self.folder / str(spec.file))

    def layers(
        self, ids: Iterable[str] | None = None, *, within_limits: bool = False
    ) -> dict[str, gpd.GeoDataFrame]:
        """Return the layers that load; set the others aside in :attr:`problems`.

        Parameters
        ----------
        ids
            Layer ids; default every catalog layer, derived ones included.
        within_limits
            Also leave out a layer over the feature or vertex limits of
            :mod:`geo.limits` (drawn, it would make a page too large to open).

        Returns
        -------
        dict of str to GeoDataFrame
            By id, in the order asked.

        Raises
        ------
        UnknownLayerError
            If an id is not in the catalog.

        Warns
        -----
        LayerLoadWarning
            Once per layer left out, naming the file, the problem and the fix.
        """
        catalog = self.catalog
        wanted = list(ids) if ids is not None else list(catalog.layers)
        unknown = [lid for lid in wanted if lid not in catalog]
        if unknown:
            raise UnknownLayerError(catalog.unknown_text(unknown))
        out: dict[str, gpd.GeoDataFrame] = {}
        for lid in wanted:
            gdf = self._try(lid)
            too_big = _size_problem(gdf) if gdf is not None and within_limits else None
            if too_big:
                self._set_aside(lid, too_big, limits.SIMPLIFY_FIX)
            elif gdf is not None:
                out[lid] = gdf
        self._report()
        return out

    def _try(self, layer_id: str) -> gpd.GeoDataFrame | None:
        if layer_id in self._problems and layer_id not in self._loaded:
            return None  # failed before (a layer only too large to draw is kept)
        try:
            return self.layer(layer_id)
        except DataFileError:
            raise  # a shared file (the gazetteer) is broken: not one layer's problem
        except LOAD_ERRORS as exc:
            self._set_aside(layer_id, str(exc) or type(exc).__name__, fix_for(exc))
            return None

    def _set_aside(self, layer_id: str, problem: str, fix: str) -> None:
        self._problems.setdefault(
            layer_id, LayerProblem(layer_id, self.file_of(layer_id), problem, fix)
        )

    def _report(self) -> None:
        for lid, found in self._problems.items():
            if lid not in self._reported:
                self._reported.add(lid)
                warnings.warn(str(found), LayerLoadWarning, stacklevel=3)

    def figure_layers(
        self, figure: FigureSpec | str | int, *, within_limits: bool = False
    ) -> dict[str, gpd.GeoDataFrame]:
        """Return the layers one figure draws (those that load).

        Parameters
        ----------
        figure
            A figure spec, or its id (``fig3``, ``3``, ``overview``).
        within_limits
            Leave out layers over the size limits (see :meth:`layers`).

        Returns
        -------
        dict of str to GeoDataFrame
        """
        from geo.figures.specs import figure_by_id, figure_layer_ids

        catalog = self.catalog
        spec = figure if not isinstance(figure, str | int) else figure_by_id(str(figure), catalog)
        ids = [lid for lid in figure_layer_ids(spec, catalog) if lid in catalog]
        return self.layers(ids, within_limits=within_limits)

    def open(
        self,
        key: str | Path,
        crs: str | None = None,
        *,
        encoding: str | None = None,
        layer: str | None = None,
    ) -> gpd.GeoDataFrame:
        """Return a catalog layer by id, or read a file the way ``geo add-layer`` does.

        Parameters
        ----------
        key
            A catalog id, or a GeoJSON, GeoPackage, shapefile or CSV.
        crs
            Declared CRS of a file (default: the file's own, else WGS-84); for a
            catalog id it must be omitted or agree with the catalog.
        encoding
            Text encoding of a file that is not UTF-8.
        layer
            Layer of a GeoPackage that holds several.

        Returns
        -------
        geopandas.GeoDataFrame
        """
        from geo.data.crs import canonical_crs
        from geo.data.inputs import read_layer_file

        text = str(key)
        if Path(text).suffix and Path(text).is_file():
            places = self.gazetteer_path
            return read_layer_file(text, crs, gazetteer=places, encoding=encoding, layer=layer)
        catalog = self.catalog
        if text not in catalog:
            raise UnknownLayerError(catalog.unknown_text([text], nor_file=True))
        declared = catalog[text].crs
        if crs is not None and canonical_crs(crs) != canonical_crs(declared):
            raise CRSError(f"layer {text} is declared {declared} in the catalog, not {crs}")
        return self.layer(text)

    def district(self) -> BaseGeometry | None:
        """Return the district outline as one shape, or ``None`` without a district layer."""
        if "district" not in self.catalog:
            return None
        return self.layer("district").geometry.union_all()

    def validate(self, load: bool = True) -> list[Problem]:
        """Return every problem of the folder's layers (empty when all is well).

        Parameters
        ----------
        load
            Also load every layer, derived ones computed, and check each geometry is
            valid as stored (EPSG:4326) and in EPSG:4544; a layer that does not load
            is a problem too (returned, not warned).

        Returns
        -------
        list of Problem
            Problems of the source files, ids used in two layers, then (with
            ``load``) invalid geometries and layers that do not load.
        """
        from geo.data.layers import validate_catalog
        from geo.data.validity import geometry_problems

        catalog = self.catalog
        problems = validate_catalog(catalog, self.gazetteer_path)
        if not load:
            return problems
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LayerLoadWarning)
            loaded = self.layers()
        reported = {p.file for p in problems}  # a file's own problems are listed once
        for lid, gdf in loaded.items():
            fix = _DERIVED_FIX if catalog[lid].is_derived else _SOURCE_FIX
            problems += geometry_problems(gdf, self.file_of(lid), fix)
        return problems + [p.as_problem(p.file in reported) for p in self.problems]

    # ------------------------------------------------------------------ summaries
    def summary(self, layer_id: str, load: bool = True) -> LayerSummary:
        """Return what a layer is and, loaded, how many features of which quality.

        Parameters
        ----------
        layer_id
            A catalog id.
        load
            Load the layer to count its features (a failure is set aside).

        Returns
        -------
        LayerSummary
        """
        spec = self.catalog[layer_id]
        if not load:
            return LayerSummary(spec)
        kept = None if layer_id in self._problems else self.cache.summary(layer_id)
        if kept is not None:  # counted on an earlier run, from the same inputs
            return LayerSummary(spec, *kept)
        with noting_warnings() as warned:  # a load that warned is not kept: it would not warn
            gdf = self.layers([layer_id]).get(layer_id)
        if gdf is None:
            return LayerSummary(spec, problem=self._problems[layer_id].problem)
        sources = {str(k): int(v) for k, v in gdf["geometry_source"].value_counts().items()}
        worst = float(gdf["accuracy_m"].max()) if len(gdf) else None
        if not warned:
            self.cache.put_summary(layer_id, len(gdf), sources, worst)
        return LayerSummary(spec, len(gdf), sources, worst)

    def summaries(self, load: bool = True) -> list[LayerSummary]:
        """Return :meth:`summary` of every catalog layer, in catalog order."""
        return [self.summary(lid, load) for lid in self.catalog.layers]

    def __repr__(self) -> str:
        try:
            catalog = self.catalog
        except GeoError as exc:
            return f"<Project {self._where}: no catalog ({str(exc).splitlines()[0]})>"
        derived = sum(s.is_derived for s in catalog)
        return (
            f"<Project {self._where}: {len(catalog)} layers ({derived} derived), "
            f"{len(self._loaded)} loaded, {len(self._problems)} left out>"
        )

    @property
    def _where(self) -> str:  # the folder, or the database with its password hidden
        from geo.db.connection import redact

        return redact(self.dsn) if self.dsn is not None else str(self.folder)

    def _repr_html_(self) -> str:
        try:
            catalog = self.catalog
        except GeoError as exc:
            return f"<p>Project {escape(self._where)}: {escape(str(exc))}</p>"
        rows = []
        for spec in catalog:
            if spec.id in self._loaded:
                count = str(len(self._loaded[spec.id]))
            else:
                count = "does not load" if spec.id in self._problems else "-"
            figures = ", ".join(map(str, spec.figures)) or "-"
            title = f"{spec.title_zh} {spec.title_en}"
            rows.append([spec.id, title, spec.geometry_type, figures, spec.source, count])
        header = ["id", "title", "geometry", "figures", "source", "features"]
        return _html_table(f"Project {self._where}", header, rows)


def load_for_maps(catalog: Catalog) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Return the layers the maps draw, and a line for each layer left out.

    The same as ``Project(catalog.folder).layers(within_limits=True)``: layers that
    do not load, or are too large to draw, are left out (and warned about).

    Parameters
    ----------
    catalog
        A catalog read from its folder (:func:`geo.data.catalog.read_catalog`).

    Returns
    -------
    tuple of (dict of str to GeoDataFrame, list of str)
    """
    project = Project(catalog.folder)
    return project.layers(within_limits=True), [p.not_drawn for p in project.problems]


def _size_problem(gdf: gpd.GeoDataFrame) -> str | None:
    """Say why a loaded layer is too large to draw, or ``None``."""
    import shapely  # lazily: `geo layers` starts without it

    points = bool(len(gdf)) and bool(gdf.geom_type.isin(["Point", "MultiPoint"]).all())
    vertices = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    return limits.layer_size_problem(len(gdf), vertices, points)
