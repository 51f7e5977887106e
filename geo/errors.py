"""The toolkit's exceptions and warnings, for ``except`` clauses in user code.

>>> from geo.errors import GeoError, LayerValidationError
>>> try:
...     geo.validate_file("new.geojson")
... except LayerValidationError as err:
...     print(err.problems)

Every error derives from :class:`GeoError` (``except GeoError`` catches them all)
and from a built-in one (``ValueError``, ``KeyError`` ...), so code that catches
those keeps working; every warning derives from :class:`GeoWarning`.
"""

from __future__ import annotations

from geo._errors import (
    BasemapError,
    BuildManifestWarning,
    CatalogError,
    CatalogFileError,
    ClaimParseError,
    CRSError,
    DataFileError,
    DegreesNotAllowedError,
    DeriveError,
    DuplicateNameError,
    EmptyMustSeeLayerError,
    ExportError,
    ExportWarning,
    GazetteerError,
    GazetteerFileError,
    GeoError,
    GeoWarning,
    InterruptedWriteWarning,
    JournalError,
    LayerLoadWarning,
    LayerValidationError,
    LedgerFileError,
    MeasureInputError,
    MissingDependencyError,
    MissingLayerWarning,
    OfflineAssetError,
    OutputFolderError,
    OutputOnInputError,
    PackagedDataError,
    Problem,
    ShapefileTextWarning,
    SizeBudgetWarning,
    UnknownLayerError,
    UnknownNameError,
    ValueRangeError,
    WriteLockTimeoutError,
)

__all__ = [
    "BasemapError",
    "BuildManifestWarning",
    "CRSError",
    "CatalogError",
    "CatalogFileError",
    "ClaimParseError",
    "DataFileError",
    "DegreesNotAllowedError",
    "DeriveError",
    "DuplicateNameError",
    "EmptyMustSeeLayerError",
    "ExportError",
    "ExportWarning",
    "GazetteerError",
    "GazetteerFileError",
    "GeoError",
    "GeoWarning",
    "InterruptedWriteWarning",
    "JournalError",
    "LayerLoadWarning",
    "LayerValidationError",
    "LedgerFileError",
    "MeasureInputError",
    "MissingDependencyError",
    "MissingLayerWarning",
    "OfflineAssetError",
    "OutputFolderError",
    "OutputOnInputError",
    "PackagedDataError",
    "Problem",
    "ShapefileTextWarning",
    "SizeBudgetWarning",
    "UnknownLayerError",
    "UnknownNameError",
    "ValueRangeError",
    "WriteLockTimeoutError",
]
