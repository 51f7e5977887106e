"""The toolkit's exceptions and warnings, for ``except`` clauses in user code.

>>> import geo
>>> from geo.errors import GeoError, UnknownLayerError
>>> try:
...     geo.Project().layer("new_parks")
... except GeoError as err:
...     print(type(err).__name__, "-", err)
UnknownLayerError - unknown layer 'new_parks' (did you mean 'science_parks'?): the catalog has ...
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

import argparse
from dataclasses import dataclass

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
    "WorkbookOutputError",
    "WriteLockTimeoutError",
    "problem_lines",
]


class GeoError(Exception):
    """Base of every error the toolkit raises on purpose: the message says what to do."""


class GeoWarning(UserWarning):
    """Base of every warning the toolkit gives."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file
        Path of the file the problem is in.
    feature_id
        ``id`` of the offending feature, or ``"-"`` for file-level problems.
    problem
        What is wrong.
    fix
        What to do about it.
    """

    file: str
    feature_id: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}: feature {self.feature_id}: {self.problem} -> fix: {self.fix}"


#: The same problem on more features than this is listed once, with their count.
GROUP_ABOVE = 3


def problem_lines(problems: list[Problem]) -> list[str]:
    """Return one line per problem; a problem repeated on many features, one line in all.

    A problem with the same file, text and fix on more than :data:`GROUP_ABOVE`
    features (a column missing from every row of a big table) is listed once, where
    it first occurs, with the number of features and the first and last ids.

    Parameters
    ----------
    problems
        The problems, in file order.

    Returns
    -------
    list of str

    Examples
    --------
    >>> rows = [Problem("a.csv", f"a-{i}", "missing 'kind'", "add it") for i in range(1, 6)]
    >>> for line in problem_lines(rows + [Problem("a.csv", "a-9", "bad lon", "fix it")]):
    ...     print(line)
    a.csv: 5 features (a-1, a-2, a-3 … a-5): missing 'kind' -> fix: add it
    a.csv: feature a-9: bad lon -> fix: fix it
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    for p in problems:
        groups.setdefault((p.file, p.problem, p.fix), []).append(p.feature_id)
    lines: list[str] = []
    listed: set[tuple[str, str, str]] = set()
    for p in problems:
        key = (p.file, p.problem, p.fix)
        ids = groups[key]
        if len(ids) <= GROUP_ABOVE:
            lines.append(str(p))
        elif key not in listed:
            listed.add(key)
            shown = f"{', '.join(ids[:3])} … {ids[-1]}"
            lines.append(f"{p.file}: {len(ids)} features ({shown}): {p.problem} -> fix: {p.fix}")
    return lines


class LayerValidationError(GeoError, ValueError):
    """A layer file has one or more problems; all of them are listed.

    The message gives a problem repeated on many features once, with their count
    (:func:`problem_lines`); :attr:`problems` holds each one.

    Parameters
    ----------
    problems
        Every problem found in the file, in file order.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        files = sorted({p.file for p in self.problems})
        if len(self.problems) == 1:  # one problem reads as one line
            super().__init__(str(self.problems[0]))
            return
        head = f"{len(self.problems)} problem(s) in {', '.join(files)}:"
        lines = problem_lines(self.problems)
        super().__init__("\n".join([head, *("  - " + line for line in lines)]))


class UnknownLayerError(GeoError, KeyError):
    """A layer id is not in the catalog and is not a path to an existing file."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a sentence reads better.
        return str(self.args[0]) if self.args else "unknown layer"


class CatalogError(GeoError, ValueError):
    """The layer catalog (layers/catalog.yaml) is malformed."""


class PackagedDataError(CatalogError):
    """A write was aimed at the data installed with the package (copy it first)."""


class OutputOnInputError(GeoError, ValueError):
    """A write would land in a data folder or on a file the command reads."""


class OutputFolderError(GeoError, ValueError):
    """A folder inside an output folder is a symbolic link leading out of it."""


class JournalError(GeoError, ValueError):
    """A commit journal cannot be read, or names a move it may not make; nothing was moved."""


class CRSError(GeoError, ValueError):
    """A coordinate reference system is unknown, undeclared or unsuitable."""


class DegreesNotAllowedError(CRSError):
    """A metric computation was asked of data in geographic degrees."""


class GazetteerError(GeoError, KeyError):
    """A place name does not resolve in the gazetteer."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown place"


class DeriveError(GeoError, ValueError):
    """A derived-layer rule cannot be evaluated (bad rule or missing member)."""


class ClaimParseError(GeoError, ValueError):
    """A number or unit in a claim cannot be parsed."""


class MissingDependencyError(GeoError, ImportError):
    """An optional dependency is not installed; the message names the install command."""


class BasemapError(GeoError, ValueError):
    """A basemap is unknown or lacks what it needs (such as an API key)."""


class WriteLockTimeoutError(GeoError, TimeoutError):
    """Another process kept the write lock of a folder for longer than the timeout."""


class InterruptedWriteWarning(GeoWarning):
    """A write stopped half-way earlier (for instance by a kill) was finished or undone."""


class OfflineAssetError(GeoError, ValueError):
    """A map links an asset that the offline asset table does not hold."""


class BuildManifestWarning(GeoWarning):
    """The site's build manifest could not be read; everything is built again."""


class SizeBudgetWarning(GeoWarning):
    """A figure's HTML file is larger than its size budget."""


class MissingLayerWarning(GeoWarning):
    """A figure names a layer that the catalog or the loaded layers lack."""


class EmptyMustSeeLayerError(GeoError, ValueError):
    """A layer a figure must show (its ``must_see``) has no features: the build stops."""


class ShapefileTextWarning(GeoWarning):
    """Text was cut to the 254 bytes a Shapefile's dBASE field holds."""


class LayerLoadWarning(GeoWarning):
    """Layers did not load; the message lists each with the file and the fix."""


class MeasureInputError(GeoError, ValueError):
    """A measure was asked of inputs that cannot give it (points have no area ...)."""


class ValueRangeError(GeoError, ValueError):
    """A number given as an option (an accuracy, a zoom level) is no number or out of range."""


class ExportError(GeoError, OSError):
    """An export could not be written (a full disk, a GDAL error); the output is left as it was."""


class ExportWarning(GeoWarning):
    """An export changed something to fit the format (a renamed field, escaped text)."""


class DataFileError(GeoError, ValueError):
    """A data file cannot be read (not a file, too large, not UTF-8, malformed ...).

    Also for a file of the wrong shape, or holding text the toolkit refuses. The
    message is one line: the file, where in it (row, JSON path or ``-``), the problem
    and the fix.

    Parameters
    ----------
    file
        The file.
    where
        Where in the file: ``row 5, column name_zh``, ``features[3].geometry`` or ``-``.
    problem
        What is wrong.
    fix
        What to do about it.
    """

    def __init__(self, file: str, where: str, problem: str, fix: str) -> None:
        self.file, self.where, self.problem, self.fix = str(file), where, problem, fix
        at = f" {where}:" if where and where != "-" else ""
        super().__init__(f"{self.file}:{at} {problem}; fix: {fix}")

    def as_problem(self) -> Problem:
        """Return the same as a :class:`Problem` (for a layer's list of problems)."""
        return Problem(self.file, self.where or "-", self.problem, self.fix)


class GazetteerFileError(DataFileError):
    """The gazetteer file (``gazetteer.csv``) cannot be read."""


class LedgerFileError(DataFileError):
    """The claims ledger (``claims.csv``) cannot be read."""


class CatalogFileError(DataFileError, CatalogError):
    """The catalog file (``catalog.yaml``) cannot be read or is too large."""


class UnknownNameError(GeoError, KeyError):
    """A name is not in a registry (a step, a format, a figure ...); the message lists the known."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown name"


class DuplicateNameError(GeoError, ValueError):
    """A name is registered already in a registry: each name is registered once."""


class UnknownFigureError(GeoError, KeyError):
    """A figure id or number names no figure; the message lists the figures there are."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown figure"


class FigureNumberError(GeoError, argparse.ArgumentTypeError, ValueError):
    """A command-line list of figure numbers holds something else, or a number out of range.

    An ``ArgumentTypeError``, so that argparse prints the message as it is.
    """


class UnknownChoiceError(GeoError, ValueError):
    """An option names a value outside its fixed list (a format, unit, paper, build step ...)."""


class UnknownColumnError(GeoError, KeyError):
    """A column asked for (e.g. to group by) is not in the table."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown column"


class MissingColumnsError(GeoError, ValueError):
    """A table handed to the toolkit in memory lacks columns it needs."""


class GazetteerMissingError(GeoError, FileNotFoundError):
    """The gazetteer file (``gazetteer.csv``) is not in the data folder.

    Not a :class:`DataFileError`: a folder without a gazetteer still loads the layers
    that name no place (the others are set aside, each naming the file).
    """


class FolderExistsError(GeoError, FileExistsError):
    """A folder to create exists already; nothing was written."""


class TargetIsFolderError(GeoError, IsADirectoryError):
    """A file was to be written where a folder stands (raised with errno, strerror, path)."""


class NoSuchAttributeError(GeoError, AttributeError):
    """A name asked of the ``geo`` package is not one it exports."""


class PaletteError(GeoError, ValueError):
    """A figure has more classes than its palette has distinct colours."""


class ManifestError(GeoError, ValueError):
    """A site's build manifest is malformed (it is ignored, with a warning)."""


class CacheEntryError(GeoError, ValueError):
    """A kept derived layer does not read back (it is ignored and computed again)."""


class WorkbookOutputError(GeoError, ValueError):
    """``--format xlsx`` has nowhere to write: no ``--out`` and standard output is a terminal."""


class DatabaseError(GeoError, RuntimeError):
    """A PostGIS store cannot be used; the message names the fix (never the password)."""


class DatabaseUnreachableError(DatabaseError, ConnectionError):
    """The database server cannot be reached, or refused the login."""


class PostGISMissingError(DatabaseError):
    """The database lacks the PostGIS extension, or the server cannot provide it."""


class DatabasePermissionError(DatabaseError, PermissionError):
    """The database role may not do what the command needs (create, write)."""


class DatabaseSchemaError(DatabaseError, ValueError):
    """The database holds no project yet (``geo db init``), or a name cannot be a column."""


class EditConflictError(DatabaseError, ValueError):
    """An edit was based on a row another edit has changed since; nothing was written."""
