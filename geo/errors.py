"""The toolkit's exceptions and warnings, for ``except`` clauses in user code.

>>> from geo.errors import LayerValidationError
>>> try:
...     geo.validate_file("new.geojson")
... except LayerValidationError as err:
...     print(err.problems)

Each error subclasses a built-in one (``ValueError``, ``KeyError`` ...), so code that
catches those keeps working.
"""

from __future__ import annotations

from geo._errors import (
    BasemapError,
    CatalogError,
    ClaimParseError,
    CRSError,
    DegreesNotAllowedError,
    DeriveError,
    GazetteerError,
    InterruptedWriteWarning,
    LayerValidationError,
    MissingDependencyError,
    PackagedDataError,
    Problem,
    UnknownLayerError,
    WriteLockTimeoutError,
)

__all__ = [
    "BasemapError",
    "CRSError",
    "CatalogError",
    "ClaimParseError",
    "DegreesNotAllowedError",
    "DeriveError",
    "GazetteerError",
    "InterruptedWriteWarning",
    "LayerValidationError",
    "MissingDependencyError",
    "PackagedDataError",
    "Problem",
    "UnknownLayerError",
    "WriteLockTimeoutError",
]
