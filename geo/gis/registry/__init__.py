"""Adding a layer to the catalog: read any input, fill what is missing, validate, register.

A new layer arrives as GeoJSON (including what the maps' Draw control exports), a
GeoPackage, a shapefile, or a CSV of points (``lon``/``lat``, ``lng``/``lat``,
``x``/``y`` columns, or one AMap-style ``location`` column holding ``"lon,lat"``).
Whatever the format, it is turned into a GeoJSON document in memory, missing
required properties are filled from explicit defaults (and every fill is reported,
never silent), the document is validated exactly as :func:`geo.data.layers.read_layer_file`
validates a file (every problem at once), converted to WGS-84, and finally
written as ``layers/<id>.geojson`` together with its catalog entry.

The write holds the layers folder's lock (:func:`geo._io.write_lock`), re-reads the
catalog under it, and commits both files through a journal
(:func:`geo._io.commit_files`): a failed run leaves the catalog and the layers
exactly as before, and a run killed half-way is finished by the next command.
Replacing a layer keeps the previous file in
``layers/.backup/<id>.<UTC time to the nanosecond>.geojson``.

Only the functions named ``read_*`` and :func:`commit_layer` / :func:`add_layer`
touch the disk; the rest work on data in memory.
"""

from __future__ import annotations

from geo.data.encoding import (
    garbled_reading,
    garbled_text_problems,
)
from geo.data.inputs import (
    COORD_COLUMNS,
    CSV_SUFFIXES,
    GEOJSON_SUFFIXES,
    LOCATION_COLUMNS,
    document_from_frame,
    document_from_table,
    read_input_document,
    restore_field_names,
)
from geo.gis.registry.add import (
    AddResult,
    add_layer,
)
from geo.gis.registry.commit import (
    BACKUP_DIR,
    commit_layer,
)
from geo.gis.registry.entry import (
    DEFAULT_GROUP,
    catalog_entry,
    catalog_text_with_entry,
)
from geo.gis.registry.filling import (
    Fill,
    PropertyDefaults,
    fill_properties,
)
from geo.gis.registry.validation import (
    infer_geometry_type,
    validate_document,
)

__all__ = [
    "BACKUP_DIR",
    "COORD_COLUMNS",
    "CSV_SUFFIXES",
    "DEFAULT_GROUP",
    "GEOJSON_SUFFIXES",
    "LOCATION_COLUMNS",
    "AddResult",
    "Fill",
    "PropertyDefaults",
    "add_layer",
    "catalog_entry",
    "catalog_text_with_entry",
    "commit_layer",
    "document_from_frame",
    "document_from_table",
    "fill_properties",
    "garbled_reading",
    "garbled_text_problems",
    "infer_geometry_type",
    "read_input_document",
    "restore_field_names",
    "validate_document",
]
