"""The GIS office's tools: adding layers, correcting positions, exchange formats.

Floor 10 (README, "Architecture"). :mod:`~geo.gis.registry` adds a layer to the
catalog; :mod:`~geo.gis.correction`, :mod:`~geo.gis.poi` and :mod:`~geo.gis.matching`
fix gazetteer positions from POI exports; :mod:`~geo.gis.export`,
:mod:`~geo.gis.exchange` and :mod:`~geo.gis.qgis` write GeoPackage (with QGIS styles),
Shapefile, KML, FlatGeobuf and GeoJSON.
"""
