"""Shapingba innovation-layout GIS toolkit.

Rebuilds the spatial layout of the Shapingba District (沙坪坝区, Chongqing) 14th
Five-Year plan for science and technology innovation as geospatial layers,
measures it, checks the plan's size claims, and publishes interactive maps.

Data flows catalog → layers → derive → measure / claims → maps / report.
"""

from geo.layers import load_layer, load_layers, read_catalog, validate_file, write_layer

__all__ = ["load_layer", "load_layers", "read_catalog", "validate_file", "write_layer"]
__version__ = "0.1.0"
