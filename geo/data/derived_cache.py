"""The layer cache: derived layers, layer summaries and query results kept between runs.

Deriving the zones reads every source layer and takes most of a command's time;
``geo layers`` and ``geo area cities`` would derive them on every call. The cache
keeps, per layer of a data folder, what was computed from it, under a **key**: a
hash of exactly what the layer is made of, with the digests of
:mod:`geo.site.cache`:

* a source layer: its catalog entry, the bytes of its file and of the gazetteer;
* a derived layer: its catalog entry (rule and parameters), the gazetteer and the
  keys of the layers its rule looked up (found while it ran, and recorded);
* both: the code version (every file of the :mod:`geo` package) and the versions
  of Python and the libraries.

Each layer has one entry file (``<id>.json``: the key, the layers read, the summary
and remembered results) and, derived, a frame file (``<id>.frame.json``: columns
with their dtypes, geometry as WKB, CRS, index and ``attrs``, and a hash of them).
Nothing is trusted: an entry that cannot be read, has another layout, another key
or, for a frame, content that no longer matches its hash is ignored and computed
again, and a frame is stored only when reading it back gives the same
frame. A layer whose rule was replaced in :data:`geo.data.derive.RULES` at run time is
neither read nor kept (its code is not in the key). Files are written atomically
(:mod:`geo._io`); a cache that cannot be written is not an error, the command runs
uncached.

The cache lives in ``$GEO_CACHE_DIR`` when set, else
``$XDG_CACHE_HOME/shapingba-geo`` (default ``~/.cache/shapingba-geo``), never in
the data folder, one sub-folder per data folder.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._io import atomic_write_text
from geo.data.catalog import Catalog, LayerSpec, layer_path
from geo.data.digests import code_version, file_digest, key_of, library_versions
from geo.errors import CacheEntryError, GeoError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "CACHE_ENV",
    "LayerCache",
    "cache_root",
    "derive_kept",
    "frame_doc",
    "frame_from_doc",
    "noting_warnings",
    "same_frame",
]

#: Environment variable naming the cache folder.
CACHE_ENV = "GEO_CACHE_DIR"
#: Bump when the layout of an entry changes: older entries are then ignored.
CACHE_VERSION = 1
#: An entry or frame file larger than this is not read.
MAX_ENTRY_BYTES = 50_000_000
#: Column dtypes a frame file keeps exactly; a frame with another is not cached.
FRAME_DTYPES = frozenset({"str", "object", "float64", "int64", "bool"})
_ID = re.compile(r"[a-z0-9_]+")
_ABSENT = "absent"


def cache_root() -> Path | None:
    """Return the cache folder, or ``None`` when no home folder is known.

    Returns
    -------
    Path or None
        ``$GEO_CACHE_DIR``, else ``$XDG_CACHE_HOME/shapingba-geo``, else
        ``~/.cache/shapingba-geo``.
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home folder
            return None
    return Path(base) / "shapingba-geo"


# --------------------------------------------------------------------------- frames
def frame_doc(gdf: gpd.GeoDataFrame) -> dict[str, Any] | None:
    """Return a layer as JSON-able data, or ``None`` when it cannot be kept exactly.

    Parameters
    ----------
    gdf
        The layer.

    Returns
    -------
    dict or None
    """
    import shapely

    geom = gdf.geometry
    columns = [c for c in gdf.columns if c != geom.name]
    dtypes = [str(gdf[c].dtype) for c in columns]
    if gdf.crs is None or not all(isinstance(c, str) for c in gdf.columns):
        return None
    if any(d not in FRAME_DTYPES for d in dtypes) or str(gdf.index.dtype) not in FRAME_DTYPES:
        return None
    wkb = shapely.to_wkb(geom.values, hex=True, output_dimension=3)
    return {
        "crs": gdf.crs.to_string(),
        "geometry": geom.name,
        "columns": columns,
        "dtypes": dtypes,
        "values": [gdf[c].tolist() for c in columns],
        "wkb": [None if w is None else str(w) for w in wkb],
        "index": _index_doc(gdf.index),
        "attrs": gdf.attrs,
    }


def _index_doc(index: Any) -> dict[str, Any]:
    """Return an index as JSON-able data (a range stays a range)."""
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": index.name}
    return {"values": index.tolist(), "dtype": str(index.dtype), "name": index.name}


def _index(doc: dict[str, Any]) -> Any:
    import pandas as pd

    if "range" in doc:
        return pd.RangeIndex(*(int(n) for n in doc["range"]), name=doc["name"])
    return pd.Index(doc["values"], dtype=str(doc["dtype"]), name=doc["name"])


def frame_from_doc(doc: dict[str, Any]) -> gpd.GeoDataFrame:
    """Return the layer :func:`frame_doc` made.

    Parameters
    ----------
    doc
        What :func:`frame_doc` returned (read back from JSON).

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    ValueError, TypeError, KeyError
        If ``doc`` is not such data.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    index = _index(doc["index"])
    data = {
        str(c): pd.Series(v, dtype=str(d), index=index)
        for c, d, v in zip(doc["columns"], doc["dtypes"], doc["values"], strict=True)
    }
    geoms = shapely.from_wkb(list(doc["wkb"]))
    if len(geoms) != len(index):
        raise CacheEntryError("geometry and index differ in length")
    gdf = gpd.GeoDataFrame(
        data, index=index, geometry=gpd.GeoSeries(geoms, index=index), crs=doc["crs"]
    )
    gdf = gdf.rename_geometry(str(doc["geometry"])) if doc["geometry"] != "geometry" else gdf
    gdf.attrs = dict(doc["attrs"])
    return gdf


def same_frame(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    """Return whether two layers are equal in content, dtypes, index, CRS and ``attrs``."""
    from geo.data.digests import frame_digest

    return (
        list(a.columns) == list(b.columns)
        and list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))
        and a.index.equals(b.index)
        and type(a.index) is type(b.index)
        and str(a.index.dtype) == str(b.index.dtype)
        and a.geometry.name == b.geometry.name
        and a.attrs == b.attrs
        and frame_digest(a) == frame_digest(b)
    )


@contextmanager
def noting_warnings() -> Iterator[list[str]]:
    """Note every warning shown inside the block (still showing it).

    Something that warned is not remembered: a later run served from the cache
    would not show the warning.
    """
    seen: list[str] = []
    shown = warnings.showwarning

    def show(message, category, *rest, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(str(message))
        shown(message, category, *rest, **kw)

    warnings.showwarning = show
    try:
        yield seen
    finally:
        warnings.showwarning = shown


def _rule_replaced(rule: str) -> bool:
    """Whether a rule of :data:`geo.data.derive.RULES` was added or replaced at run time.

    Such a rule's code is not in the key: what it makes is neither read nor kept.
    """
    derive = sys.modules.get("geo.data.derive")  # not imported: nothing was replaced
    found = None if derive is None else derive.RULES.get(rule)
    return found is not None and getattr(found, "__module__", None) != "geo.data.derive"


# --------------------------------------------------------------------------- the cache
class LayerCache:
    """What was computed from the layers of one data folder, kept on disk.

    Parameters
    ----------
    folder
        The layers folder.
    gazetteer
        Its gazetteer (read by point layers and by the rules).
    catalog
        Returns the folder's catalog.
    root
        The cache folder (default :func:`cache_root`).
    """

    def __init__(
        self,
        folder: Path,
        gazetteer: Path,
        catalog: Callable[[], Catalog],
        root: Path | None = None,
    ) -> None:
        self.folder = folder
        self.gazetteer = gazetteer
        self._catalog = catalog
        base = root if root is not None else cache_root()
        self.root = None if base is None else base / key_of(str(folder.resolve()))[:24]
        self._keys: dict[str, str | None] = {}
        self._visiting: set[str] = set()
        self._gazetteer_digest: tuple[str | None] | None = None

    # ---------------------------------------------------------------- keys
    def _digest(self, path: Path) -> str | None:
        """Return a file's hash; ``None`` when it cannot be read (nothing is then kept)."""
        try:
            return file_digest(path) or _ABSENT
        except OSError:  # the load reports it, with the file and the fix
            return None

    def key(self, layer_id: str, reads: list[str] | None = None) -> str | None:
        """Return the key of a layer now, or ``None`` when it cannot be known.

        Parameters
        ----------
        layer_id
            A catalog id.
        reads
            For a derived layer, the layers its rule read (default: as recorded).

        Returns
        -------
        str or None
            ``None`` for a derived layer never recorded, or an id not in the catalog.
        """
        if reads is None and layer_id in self._keys:
            return self._keys[layer_id]
        catalog = self._catalog()
        if layer_id not in catalog or layer_id in self._visiting:
            return None
        spec = catalog[layer_id]
        self._visiting.add(layer_id)
        try:
            made_of = self._inputs(catalog, layer_id, reads)
        finally:
            self._visiting.discard(layer_id)
        if self._gazetteer_digest is None:  # hashed once, in a 1-tuple (None: unreadable)
            self._gazetteer_digest = (self._digest(self.gazetteer),)
        (gazetteer,) = self._gazetteer_digest
        if made_of is None or gazetteer is None:
            return None
        versions = (code_version(), library_versions())
        key = key_of(CACHE_VERSION, asdict(spec), made_of, gazetteer, versions)
        if reads is None:
            self._keys[layer_id] = key
        return key

    def forget(self) -> None:
        """Drop the keys (and the gazetteer's hash) worked out so far, to hash the files again."""
        self._keys.clear()
        self._gazetteer_digest = None

    def _inputs(self, catalog: Catalog, layer_id: str, reads: list[str] | None) -> Any:
        spec = catalog[layer_id]
        if spec.derived is None:
            try:
                path = layer_path(spec.id, spec.file, catalog.folder or self.folder)
            except GeoError:  # a path the catalog may not name: the load reports it
                return None
            return self._digest(path)
        if _rule_replaced(str(spec.derived.get("rule"))):
            return None
        if reads is None:
            entry = self._entry(layer_id)
            reads = None if entry is None else entry.get("reads")
            if reads is None:
                return None
        keys = {r: self.key(r) if r in catalog else _ABSENT for r in sorted(set(reads))}
        return None if None in keys.values() else keys

    # ---------------------------------------------------------------- files
    def _path(self, layer_id: str, part: str = "") -> Path | None:
        if self.root is None or not _ID.fullmatch(layer_id):
            return None
        return self.root / f"{layer_id}{part}.json"

    def _load(self, path: Path | None) -> dict[str, Any] | None:
        """Return a cache file as a dict, or ``None`` when missing or unreadable."""
        try:
            if path is None or path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return doc if isinstance(doc, dict) and doc.get("version") == CACHE_VERSION else None

    def _entry(self, layer_id: str) -> dict[str, Any] | None:
        doc = self._load(self._path(layer_id))
        if doc is None or doc.get("layer") != layer_id or not isinstance(doc.get("key"), str):
            return None
        reads = doc.get("reads")
        if reads is not None and not (
            isinstance(reads, list) and all(isinstance(r, str) for r in reads)
        ):
            return None
        return doc

    def _fresh_entry(self, layer_id: str) -> dict[str, Any] | None:
        """Return the layer's entry when its key is the key now."""
        entry = self._entry(layer_id)
        key = self.key(layer_id)
        return entry if entry is not None and key is not None and entry["key"] == key else None

    def _write(self, path: Path | None, doc: dict[str, Any]) -> bool:
        if path is None:
            return False
        try:
            atomic_write_text(path, json.dumps(doc, ensure_ascii=False))
        except (OSError, GeoError):  # a cache that cannot be written only costs time
            return False
        return True

    def _update(self, layer_id: str, part: str, value: Any) -> None:
        entry = self._fresh_entry(layer_id)
        if entry is None:
            key = self.key(layer_id)
            if key is None:
                return
            entry = {"version": CACHE_VERSION, "layer": layer_id, "key": key}
        if part == "results":
            kept = entry.get("results")
            entry["results"] = {**(kept if isinstance(kept, dict) else {}), **value}
        else:
            entry[part] = value
        self._write(self._path(layer_id), entry)

    # ---------------------------------------------------------------- frames
    def frame(self, layer_id: str) -> gpd.GeoDataFrame | None:
        """Return the kept frame of a derived layer, or ``None`` when none is valid."""
        key = self.key(layer_id)
        doc = self._load(self._path(layer_id, ".frame"))
        if key is None or doc is None or doc.get("key") != key:
            return None
        if doc.get("digest") != key_of(doc.get("frame")):
            return None  # damaged since it was written
        try:
            return frame_from_doc(doc["frame"])
        except Exception:  # a damaged entry, whatever the damage, is not used
            return None

    def put_frame(self, layer_id: str, gdf: gpd.GeoDataFrame, reads: list[str]) -> None:
        """Keep a derived layer, computed by a rule that read the layers ``reads``."""
        key = self.key(layer_id, reads)
        if key is None:
            return
        entry = self._entry(layer_id)
        if entry is None or entry["key"] != key or entry.get("reads") != reads:
            entry = {"version": CACHE_VERSION, "layer": layer_id, "key": key, "reads": reads}
            if not self._write(self._path(layer_id), entry):
                return
        self._keys[layer_id] = key
        doc = frame_doc(gdf)
        if doc is None:
            return
        text = json.dumps(doc, ensure_ascii=False)
        if not same_frame(frame_from_doc(json.loads(text)), gdf):
            return  # it would not come back the same: derive it each time
        frame = {"version": CACHE_VERSION, "layer": layer_id, "key": key, "frame": doc}
        frame["digest"] = key_of(doc)
        self._write(self._path(layer_id, ".frame"), frame)

    # ---------------------------------------------------------------- summaries, results
    def summary(self, layer_id: str) -> tuple[int, dict[str, int], float | None] | None:
        """Return a layer's kept feature count, geometry sources and worst accuracy."""
        entry = self._fresh_entry(layer_id)
        found = None if entry is None else entry.get("summary")
        try:
            count, pairs, worst = found  # type: ignore[misc]
            sources = {str(k): int(v) for k, v in pairs}
            if type(count) is not int or not (worst is None or isinstance(worst, float)):
                return None
        except (TypeError, ValueError):
            return None
        return count, sources, worst

    def put_summary(self, layer_id: str, count: int, sources: dict[str, int], worst: Any) -> None:
        """Keep a layer's summary (see :meth:`summary`)."""
        self._update(layer_id, "summary", [count, list(sources.items()), worst])

    def remember(self, layer_id: str, settings: Any, compute: Callable[[], Any]) -> Any:
        """Return what ``compute`` returns for a layer, kept per layer key and settings.

        Parameters
        ----------
        layer_id
            The catalog id the result is computed from.
        settings
            What else the result depends on (the query and its options).
        compute
            Computes the result, a JSON-able value; one that warns is not kept.

        Returns
        -------
        Any
            The result, computed now or kept from an earlier run.
        """
        name = key_of(settings)
        entry = self._fresh_entry(layer_id) if layer_id in self._catalog() else None
        results = {} if entry is None else entry.get("results")
        if isinstance(results, dict) and name in results:
            return results[name]
        with noting_warnings() as warned:
            value = compute()
        if not warned:
            self._update(layer_id, "results", {name: value})
        return value


def derive_kept(
    cache: LayerCache, spec: LayerSpec, load: Callable[[str], gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """Return a derived layer from the cache, or derive it with its rule and keep it.

    Parameters
    ----------
    cache
        The folder's cache.
    spec
        The derived layer's catalog entry.
    load
        Returns a layer by id (what the rule reads); places are looked up in the
        cache's gazetteer file (:attr:`LayerCache.gazetteer`).

    Returns
    -------
    geopandas.GeoDataFrame
    """
    kept = cache.frame(spec.id)
    if kept is not None:
        return kept
    from geo.data.derive import derive_layer

    reads: list[str] = []

    def recording(layer_id: str) -> gpd.GeoDataFrame:
        reads.append(layer_id)
        return load(layer_id)

    with noting_warnings() as warned:
        gdf = derive_layer(spec, recording, cache.gazetteer)
    if not warned:  # kept, it would not warn again
        cache.put_frame(spec.id, gdf, sorted(set(reads)))
    return gdf
