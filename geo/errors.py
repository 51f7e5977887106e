"""The toolkit's exceptions and warnings, for ``except`` clauses in user code.

>>> import geo
>>> from geo.errors import GeoError, UnknownLayerError
>>> try:
...     geo.Project().layer("new_parks")
... except GeoError as err:
...     print(type(err).__name__, "-", err)
UnknownLayerError - unknown layer 'new_parks': the catalog has district, neighbours, ...
>>> issubclass(UnknownLayerError, KeyError)
True

A file's problems are listed all at once, each with its fix (an empty list: none):

>>> for p in geo.validate_file("new.geojson"):
...     print(p.problem, "->", p.fix)
cannot open the file (...) -> check the path

Every error derives from :class:`GeoError` (``except GeoError`` catches them all)
and from a built-in one (``ValueError``, ``KeyError`` ...), so code that catches
those keeps working; every warning derives from :class:`GeoWarning`.
"""

from __future__ import annotations

from geo._errors import (
    BasemapError,
    BuildManifestWarning,
    CacheEntryError,
    CatalogError,
    CatalogFileError,
    ClaimParseError,
    CRSError,
    DatabaseError,
    DatabasePermissionError,
    DatabaseSchemaError,
    DatabaseUnreachableError,
    DataFileError,
    DegreesNotAllowedError,
    DeriveError,
    DuplicateNameError,
    EditConflictError,
    EmptyMustSeeLayerError,
    ExportError,
    ExportWarning,
    FigureNumberError,
    FolderExistsError,
    GazetteerError,
    GazetteerFileError,
    GazetteerMissingError,
    GeoError,
    GeoWarning,
    InterruptedWriteWarning,
    JournalError,
    LayerLoadWarning,
    LayerValidationError,
    LedgerFileError,
    ManifestError,
    MeasureInputError,
    MissingColumnsError,
    MissingDependencyError,
    MissingLayerWarning,
    NoSuchAttributeError,
    OfflineAssetError,
    OutputFolderError,
    OutputOnInputError,
    PackagedDataError,
    PaletteError,
    PostGISMissingError,
    Problem,
    ShapefileTextWarning,
    SizeBudgetWarning,
    TargetIsFolderError,
    UnknownChoiceError,
    UnknownColumnError,
    UnknownFigureError,
    UnknownLayerError,
    UnknownNameError,
    ValueRangeError,
    WriteLockTimeoutError,
)

__all__ = [
    "BasemapError",
    "BuildManifestWarning",
    "CRSError",
    "CacheEntryError",
    "CatalogError",
    "CatalogFileError",
    "ClaimParseError",
    "DataFileError",
    "DatabaseError",
    "DatabasePermissionError",
    "DatabaseSchemaError",
    "DatabaseUnreachableError",
    "DegreesNotAllowedError",
    "DeriveError",
    "DuplicateNameError",
    "EditConflictError",
    "EmptyMustSeeLayerError",
    "ExportError",
    "ExportWarning",
    "FigureNumberError",
    "FolderExistsError",
    "GazetteerError",
    "GazetteerFileError",
    "GazetteerMissingError",
    "GeoError",
    "GeoWarning",
    "InterruptedWriteWarning",
    "JournalError",
    "LayerLoadWarning",
    "LayerValidationError",
    "LedgerFileError",
    "ManifestError",
    "MeasureInputError",
    "MissingColumnsError",
    "MissingDependencyError",
    "MissingLayerWarning",
    "NoSuchAttributeError",
    "OfflineAssetError",
    "OutputFolderError",
    "OutputOnInputError",
    "PackagedDataError",
    "PaletteError",
    "PostGISMissingError",
    "Problem",
    "ShapefileTextWarning",
    "SizeBudgetWarning",
    "TargetIsFolderError",
    "UnknownChoiceError",
    "UnknownColumnError",
    "UnknownFigureError",
    "UnknownLayerError",
    "UnknownNameError",
    "ValueRangeError",
    "WriteLockTimeoutError",
]
