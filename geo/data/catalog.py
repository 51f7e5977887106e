"""The layer catalog: what layers exist, where their data is and how they are drawn.

The catalog is ``layers/catalog.yaml`` (see ``docs/contract.md``). This module turns
its parsed mapping into typed :class:`LayerSpec` records and checks it
(:func:`parse_catalog`), reads the YAML file (:func:`read_catalog`) and resolves a
layer's data file inside the layers folder (:func:`layer_path`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from geo import _data
from geo._io import settle
from geo.errors import CatalogError, CatalogFileError

GEOMETRY_TYPES = frozenset({"Point", "LineString", "Polygon"})
ROLES = frozenset({"admin", "axis", "terrain", "site", "campus", "context", "zone", "member"})
#: Longest layer id: ids become file names, which file systems limit (255 bytes).
MAX_ID_LENGTH = 64
_ID = re.compile(rf"^[a-z][a-z0-9_]{{0,{MAX_ID_LENGTH - 1}}}$")
_ID_RULE = f"[a-z][a-z0-9_]* of at most {MAX_ID_LENGTH} characters"


def check_layer_id(layer_id: str) -> str:
    """Return ``layer_id`` if it is a valid layer id, else raise.

    Parameters
    ----------
    layer_id
        Proposed id.

    Returns
    -------
    str

    Raises
    ------
    CatalogError
        If the id is not lowercase letters, digits and ``_`` starting with a letter,
        or is longer than :data:`MAX_ID_LENGTH`.
    """
    if not _ID.match(layer_id):
        shown = layer_id if len(layer_id) <= 40 else f"{layer_id[:40]}... ({len(layer_id)} chars)"
        raise CatalogError(
            f"layer id {shown!r} must match {_ID_RULE} (e.g. science_parks_2025); "
            "choose a shorter or plainer id"
        )
    return layer_id


def file_problem(file: object) -> str | None:
    """Say why a catalog ``file`` value cannot name a file inside the layers folder.

    Only the text is checked here; :func:`layer_path` also resolves
    symbolic links on disk.

    Parameters
    ----------
    file
        The ``file`` value of a catalog entry.

    Returns
    -------
    str or None
        The problem, or ``None`` if the value is a plain relative path.
    """
    if not isinstance(file, str) or not file.strip():
        return "'file' must be a path relative to the layers folder"
    posix = PurePosixPath(file.replace("\\", "/"))
    if posix.is_absolute() or PureWindowsPath(file).is_absolute() or ".." in posix.parts:
        return (
            f"file {file!r} points outside the layers folder; move the file into the "
            "layers folder and give its path relative to it (no '..', not absolute)"
        )
    return None


@dataclass(frozen=True)
class LayerSpec:
    """One layer as the catalog describes it.

    Attributes
    ----------
    id
        Layer id (``[a-z0-9_]+``).
    title_zh, title_en
        Titles for legends and listings.
    geometry_type
        ``Point``, ``LineString`` or ``Polygon`` (the Multi- forms are allowed in data).
    role
        What the layer is for: ``admin``, ``axis``, ``terrain``, ``site``, ``campus``,
        ``context``, ``zone`` or ``member``.
    group
        Layer-control group on the maps.
    figures
        Figures (1-8) the layer appears on.
    style
        Key in :mod:`geo.figures.styles`.
    kind_field
        Property that drives the categorical style.
    provenance
        Where the data comes from, in one or two sentences.
    file
        Path relative to ``layers/``; ``None`` for derived layers.
    crs
        Declared CRS of the file (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:n``).
    derived
        ``{"rule": name, "params": {...}}`` for derived layers.
    """

    id: str
    title_zh: str
    title_en: str
    geometry_type: str
    role: str
    group: str
    figures: tuple[int, ...]
    style: str
    kind_field: str = "kind"
    provenance: str = ""
    file: str | None = None
    crs: str = "wgs84"
    derived: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @property
    def is_derived(self) -> bool:
        """Whether the layer is computed by :mod:`geo.data.derive` rather than read from a file."""
        return self.derived is not None

    @property
    def source(self) -> str:
        """Where the features come from: the file, or ``derived: <rule>``."""
        return f"derived: {self.derived['rule']}" if self.derived else str(self.file)

    def __repr__(self) -> str:
        figures = ",".join(map(str, self.figures)) or "-"
        return (
            f"<LayerSpec {self.id}: {self.title_zh} {self.title_en} | {self.geometry_type}, "
            f"{self.role}, figures {figures}, {self.source}>"
        )

    def _repr_html_(self) -> str:
        rows = {
            "id": self.id,
            "title": f"{self.title_zh} {self.title_en}",
            "geometry": self.geometry_type,
            "role": self.role,
            "figures": ", ".join(map(str, self.figures)) or "-",
            "source": self.source,
            "crs": self.crs,
            "style": self.style,
            "provenance": self.provenance or "-",
        }
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
            f"{escape(v)}</td></tr>"
            for k, v in rows.items()
        )
        return f"<table><caption>Layer {escape(self.id)}</caption>{body}</table>"


@dataclass(frozen=True)
class Catalog:
    """All layers, in catalog order.

    Attributes
    ----------
    layers
        Layer specs by id, in the order the catalog lists them.
    folder
        The layers folder the catalog was read from, where its files are; ``None``
        for a catalog built in memory (its files are then in :func:`layers_dir`).
    """

    layers: dict[str, LayerSpec]
    folder: Path | None = field(default=None, compare=False)

    def __getitem__(self, layer_id: str) -> LayerSpec:
        return self.layers[layer_id]

    def __contains__(self, layer_id: object) -> bool:
        return layer_id in self.layers

    def unknown_text(self, ids: list[str], *, nor_file: bool = False) -> str:
        """Say which ids this catalog lacks, the closest ids it has (difflib), then all.

        Parameters
        ----------
        ids
            The unknown ids, as given.
        nor_file
            The ids were not files either (``geo area`` and the like take paths too).

        Returns
        -------
        str
            The message of an :class:`~geo.errors.UnknownLayerError`, e.g.
            ``unknown layer 'citys' (did you mean 'cities'?): the catalog has ...``.
        """
        import difflib

        known = list(self.layers)
        close = [m for i in ids for m in difflib.get_close_matches(i, known, n=3, cutoff=0.6)]
        hint = f" (did you mean {', '.join(map(repr, dict.fromkeys(close)))}?)" if close else ""
        listing = ", ".join(known)
        where = (
            f"not a catalog id ({listing}) nor a file" if nor_file else f"the catalog has {listing}"
        )
        what = "layer" if len(ids) == 1 else "layers"
        return f"unknown {what} {', '.join(map(repr, ids))}{hint}: {where}"

    def __iter__(self):  # noqa: ANN204 - iterator over specs
        return iter(self.layers.values())

    def __len__(self) -> int:
        return len(self.layers)

    def by_role(self, *roles: str) -> list[LayerSpec]:
        """Return the layers whose role is one of ``roles``, in catalog order."""
        return [s for s in self.layers.values() if s.role in roles]

    def for_figure(self, fig: int) -> list[LayerSpec]:
        """Return the layers drawn on figure ``fig``, in catalog order."""
        return [s for s in self.layers.values() if fig in s.figures]

    def __repr__(self) -> str:
        derived = sum(s.is_derived for s in self)
        ids = ", ".join(self.layers)
        return f"<Catalog of {len(self)} layers ({derived} derived): {ids}>"

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th style='text-align:left'>{h}</th>"
            for h in ("id", "title", "geometry", "role", "figures", "source")
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td style='text-align:left'>{escape(v)}</td>"
                for v in (
                    s.id,
                    f"{s.title_zh} {s.title_en}",
                    s.geometry_type,
                    s.role,
                    ", ".join(map(str, s.figures)) or "-",
                    s.source,
                )
            )
            + "</tr>"
            for s in self
        )
        caption = f"Catalog: {len(self)} layers ({sum(s.is_derived for s in self)} derived)"
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{rows}</table>"


#: Catalog keys holding one-line text: a line break there becomes a space when read
#: (titles, and the names a derived layer's rule gives its features).
ONE_LINE_KEYS = frozenset(
    {"title_zh", "title_en", "group", "name_zh", "name_en", "kind", "aliases"}
)
#: What to do about a catalog that is not a mapping with a list of layers.
RESTORE_FIX = "restore catalog.yaml (e.g. `git checkout layers/catalog.yaml`, or `geo init DIR`)"

#: What to do about entries that break the catalog's rules.
ENTRY_FIX = "correct those entries (docs/contract.md, 'Catalog', lists every key)"

_REQUIRED_KEYS = ("id", "title_zh", "title_en", "geometry_type", "role", "group", "style")


#: Catalog keys whose value is text (a title, a style key ...).
_TEXT_KEYS = ("title_zh", "title_en", "group", "style", "kind_field", "provenance", "crs")


def _not_text(value: Any) -> bool:
    """Whether a catalog value is there and is neither text nor a plain number."""
    return value is not None and not isinstance(value, str | int | float)


def _spec_problems(i: int, entry: Any) -> list[str]:
    if not isinstance(entry, dict):
        return [f"entry {i}: expected a mapping, got {type(entry).__name__}"]
    lid = entry.get("id", f"#{i}")
    out = [f"layer {lid}: missing key {k!r}" for k in _REQUIRED_KEYS if k not in entry]
    if "id" in entry and not _ID.match(str(entry["id"])):
        out.append(f"layer {lid}: id must match {_ID_RULE}")
    if entry.get("geometry_type") not in GEOMETRY_TYPES | {None}:
        out.append(f"layer {lid}: geometry_type must be one of {sorted(GEOMETRY_TYPES)}")
    if entry.get("role") not in ROLES | {None}:
        out.append(f"layer {lid}: role must be one of {sorted(ROLES)}")
    out += [f"layer {lid}: {k} must be text" for k in _TEXT_KEYS if _not_text(entry.get(k))]
    has_file, has_rule = "file" in entry, "derived" in entry
    if has_file == has_rule:
        out.append(f"layer {lid}: give exactly one of 'file' (source layer) or 'derived' (rule)")
    if has_file and (problem := file_problem(entry["file"])):
        out.append(f"layer {lid}: {problem}")
    if has_rule and not (isinstance(entry["derived"], dict) and "rule" in entry["derived"]):
        out.append(f"layer {lid}: 'derived' needs a 'rule' and optional 'params'")
    figs = entry.get("figures", [])
    if not isinstance(figs, list) or any(not isinstance(f, int) for f in figs):
        out.append(f"layer {lid}: figures must be a list of figure numbers")
    return out


def parse_catalog(data: Any, source: str = "catalog.yaml", folder: Path | None = None) -> Catalog:
    """Build a :class:`Catalog` from the parsed YAML mapping, checking every entry.

    Parameters
    ----------
    data
        The parsed YAML document: ``{"version": 1, "layers": [...]}``.
    source
        Name used in error messages.
    folder
        The layers folder holding the catalog's files.

    Returns
    -------
    Catalog

    Raises
    ------
    CatalogError
        Listing every problem found, not just the first.
    """
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise CatalogError(f"{source}: expected a mapping with a 'layers' list; fix: {RESTORE_FIX}")
    problems: list[str] = []
    specs: dict[str, LayerSpec] = {}
    for i, entry in enumerate(data["layers"]):
        found = _spec_problems(i, entry)
        if not found and entry["id"] in specs:
            found = [f"layer {entry['id']}: listed twice"]
        problems += found
        if found:
            continue
        derived = entry.get("derived")
        if derived is not None:
            derived = {"rule": derived["rule"], "params": dict(derived.get("params") or {})}
        specs[entry["id"]] = LayerSpec(
            id=entry["id"],
            title_zh=entry["title_zh"],
            title_en=entry["title_en"],
            geometry_type=entry["geometry_type"],
            role=entry["role"],
            group=entry["group"],
            figures=tuple(entry.get("figures", [])),
            style=entry["style"],
            kind_field=entry.get("kind_field", "kind"),
            provenance=entry.get("provenance", ""),
            file=entry.get("file"),
            crs=str(entry.get("crs", "wgs84")),
            derived=derived,
        )
    if problems:
        listed = "; ".join(problems)  # one line, however many
        raise CatalogError(f"{source}: {len(problems)} problem(s): {listed}; fix: {ENTRY_FIX}")
    return Catalog(specs, folder)


def layers_dir() -> Path:
    """Return the data directory (see :func:`geo._data.layers_dir`)."""
    return _data.layers_dir()


def layer_path(layer_id: str, file: str | None, directory: Path | None = None) -> Path:
    """Return the data file of a source layer, refusing any path outside the layers folder.

    Parameters
    ----------
    layer_id
        The layer's id (named in the error).
    file
        The catalog entry's ``file``: a path relative to the layers folder.
    directory
        The layers folder (default :func:`layers_dir`).

    Returns
    -------
    Path
        ``directory / file``.

    Raises
    ------
    CatalogError
        If the path, once symbolic links are resolved, leaves the layers folder
        (or there is no file: a derived layer).
    """
    folder = Path(directory) if directory else layers_dir()
    problem = file_problem(file) if file is not None else "a derived layer has no file"
    path = folder / str(file)
    if problem is None:
        root, real = folder.resolve(), path.resolve()
        if not real.is_relative_to(root):
            problem = (
                f"file {file!r} is a link to {real}, outside the layers folder {root}; "
                "put the file itself into the layers folder instead of a symbolic link"
            )
    if problem:
        raise CatalogError(f"{folder / 'catalog.yaml'}: layer {layer_id}: {problem}")
    return path


# --------------------------------------------------------------------------- catalog
@lru_cache(maxsize=8)
def _read_catalog_cached(path: Path, version: tuple[int, int, int]) -> Catalog:
    del version  # part of the cache key only: a changed file is read again
    from geo import limits
    from geo.data.intake import (
        TEXT_FIX,
        clean_tree,
        decode_utf8,
        load_yaml,
        read_file_bytes,
        tree_text_problems,
    )

    opts: dict[str, Any] = {"error": CatalogFileError}
    raw = read_file_bytes(path, limits.MAX_DATA_FILE_BYTES, what="catalog", **opts)
    data = load_yaml(decode_utf8(raw, path, what="catalog", **opts), path, **opts)
    layers = data.get("layers") if isinstance(data, dict) else None
    if isinstance(layers, list) and len(layers) > limits.MAX_CATALOG_LAYERS:
        raise CatalogFileError(
            str(path),
            "layers",
            f"{len(layers):,} layers, more than the limit of {limits.MAX_CATALOG_LAYERS:,}",
            "split the data into several layers folders",
        )
    bad = tree_text_problems(data)
    if bad:
        raise CatalogFileError(str(path), bad[0][0], bad[0][1], TEXT_FIX)
    clean_tree(data, ONE_LINE_KEYS)
    return parse_catalog(data, str(path), path.parent)


def read_catalog(path: Path | None = None) -> Catalog:
    """Read and check ``layers/catalog.yaml`` (or ``path``).

    Parameters
    ----------
    path
        Catalog file; default ``layers_dir() / "catalog.yaml"``.

    Returns
    -------
    Catalog
    """
    path = Path(path) if path else layers_dir() / "catalog.yaml"
    settle(path.parent)  # finish a write that was stopped half-way, if any
    if not path.exists() and not path.is_symlink():
        raise CatalogError(
            f"{path}: catalog not found; fix: set GEO_LAYERS_DIR to the layers folder"
        )
    try:
        st = path.stat()
    except OSError:  # a dangling link: the reader names it and says so
        return _read_catalog_cached(path, (-1, -1, -1))
    # a rename gives a new inode even within the file system's time resolution
    return _read_catalog_cached(path.resolve(), (st.st_mtime_ns, st.st_ino, st.st_size))
