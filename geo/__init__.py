"""Shapingba innovation-layout GIS toolkit.

Rebuilds the spatial layout of the Shapingba District (沙坪坝区, Chongqing) 14th
Five-Year plan for science and technology innovation as geospatial layers,
measures it, checks the plan's size claims, and publishes interactive maps.

Data flows catalog → layers → derive → measure / claims → maps / report.
``geo.Project()`` is the one entry to a data folder: its catalog, gazetteer, claims
ledger and layers (``Project(folder).layer(id)``, ``.layers()``, ``.open(path)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo._version import __version__

if TYPE_CHECKING:
    from geo.data.catalog import read_catalog
    from geo.data.inputs import validate_file
    from geo.data.layers import write_layer
    from geo.project import Project

__all__ = ["Project", "__version__", "read_catalog", "validate_file", "write_layer"]


#: Public names loaded on first use, and the module each comes from.
_LAZY = {
    "read_catalog": "geo.data.catalog",
    "validate_file": "geo.data.inputs",
    "write_layer": "geo.data.layers",
}


def __getattr__(name: str) -> Any:
    # Project and the layer functions are imported on first use, so that
    # `geo --help` and the light commands start without loading geopandas.
    if name == "Project":
        from geo.project import Project

        return Project
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    from geo.errors import NoSuchAttributeError

    raise NoSuchAttributeError(
        f"module 'geo' has no attribute {name!r}; it exports {', '.join(__all__)}"
    )
