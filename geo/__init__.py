"""Shapingba innovation-layout GIS toolkit.

Rebuilds the spatial layout of the Shapingba District (沙坪坝区, Chongqing) 14th
Five-Year plan for science and technology innovation as geospatial layers,
measures it, checks the plan's size claims, and publishes interactive maps.

Data flows catalog → layers → derive → measure / claims → maps / report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.layers import load_layer, load_layers, read_catalog, validate_file, write_layer

__all__ = ["load_layer", "load_layers", "read_catalog", "validate_file", "write_layer"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The layer functions come from geo.layers (geopandas) on first use, so that
    # `geo --help` and the light commands start without loading it.
    if name in __all__:
        from geo import layers

        return getattr(layers, name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
