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

if TYPE_CHECKING:
    from geo.layers import read_catalog, validate_file, write_layer
    from geo.project import Project

__all__ = ["Project", "read_catalog", "validate_file", "write_layer"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Project and the layer functions are imported on first use, so that
    # `geo --help` and the light commands start without loading geopandas.
    if name == "Project":
        from geo.project import Project

        return Project
    if name in __all__:
        from geo import layers

        return getattr(layers, name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
