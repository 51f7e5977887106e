"""Where the data folders are: the one finder of ``layers/`` and ``sources/``.

The layers folder (catalog, layer files, gazetteer, claims ledger) is, in order:

1. ``$GEO_LAYERS_DIR`` when that variable is set (a user's own copy);
2. the repository's ``layers/`` when the package runs from a checkout (an editable
   install or ``python -m geo`` in the repository);
3. the copy packaged in the wheel (``geo_data.layers``), read-only.

The source documents (``sources/``) are found the same way, with ``$GEO_SOURCES_DIR``
first. The packaged copy is data shipped with the program: writing into it would
change an installed package, so :func:`check_writable` refuses with the fix
(``geo init DIR`` makes a copy to work on).

Outputs never land on inputs: :func:`check_writable` also refuses a write whose
target resolves (symlinks followed) inside the data folders in use (``layers/``,
with its catalog, layer files, gazetteer, ledger, journal and backups, and
``sources/``) or, while a command runs (:func:`command_inputs`), onto a file or
folder it has read (:func:`protect`). The code whose job is to change the data
grants itself its own targets with :func:`data_writes`; nothing else may write there.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from geo.errors import OutputOnInputError, PackagedDataError

__all__ = [
    "LAYERS_ENV",
    "SOURCES_ENV",
    "check_data_output",
    "check_packaged",
    "check_writable",
    "checkout_root",
    "command_inputs",
    "data_writes",
    "layers_dir",
    "notebooks_dir",
    "package_dir",
    "packaged_dir",
    "protect",
    "sources_dir",
    "using_layers_dir",
]

#: Environment variable naming a layers folder to use instead of the default.
LAYERS_ENV = "GEO_LAYERS_DIR"
#: Environment variable naming a folder of source documents.
SOURCES_ENV = "GEO_SOURCES_DIR"
#: Packages that hold the wheel's copies of ``layers/``, ``sources/`` and ``notebooks/``.
_PACKAGES = {
    "layers": "geo_data.layers",
    "sources": "geo_data.sources",
    "notebooks": "geo_data.notebooks",
}


@contextlib.contextmanager
def using_layers_dir(folder: str | Path | None) -> Iterator[None]:
    """Make ``folder`` the data folder (``$GEO_LAYERS_DIR``) inside a ``with`` block.

    Parameters
    ----------
    folder
        The layers folder (e.g. one pulled from a database); None changes nothing.
    """
    if folder is None:
        yield
        return
    kept = os.environ.get(LAYERS_ENV)
    os.environ[LAYERS_ENV] = str(folder)
    try:
        yield
    finally:
        if kept is None:
            os.environ.pop(LAYERS_ENV, None)
        else:
            os.environ[LAYERS_ENV] = kept


def package_dir() -> Path:
    """Return the folder of the installed :mod:`geo` package (its source files)."""
    return Path(__file__).resolve().parent


def checkout_root() -> Path | None:
    """Return the repository folder when the package runs from a checkout, else ``None``.

    A checkout is recognised by ``pyproject.toml`` and ``layers/catalog.yaml`` beside
    the ``geo`` package folder; an installed wheel has neither.

    Returns
    -------
    pathlib.Path or None
    """
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "layers" / "catalog.yaml").is_file():
        return root
    return None


@cache
def packaged_dir(name: str) -> Path | None:
    """Return the folder of the wheel's copy of ``layers`` or ``sources``, if installed.

    Parameters
    ----------
    name
        Which folder.

    Returns
    -------
    pathlib.Path or None
        ``None`` when the package data is not installed (e.g. a bare checkout).
    """
    from importlib.util import find_spec

    try:  # data packages have no __init__.py: read the namespace's folders, not resources
        spec = find_spec(_PACKAGES[name])
    except ModuleNotFoundError:
        return None
    places = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    return next((p for p in places if p.is_dir()), None)


def _find(name: str, env: str) -> Path:
    value = os.environ.get(env)
    if value:
        return Path(value)
    root = checkout_root()
    if root is not None:
        return root / name
    packaged = packaged_dir(name)
    if packaged is not None:
        return packaged
    # Nothing found: name the place a checkout would have, so the error says where it looked.
    return Path(__file__).resolve().parents[1] / name


def layers_dir() -> Path:
    """Return the layers folder (catalog, layer files, gazetteer and claims ledger).

    Returns
    -------
    pathlib.Path
        ``$GEO_LAYERS_DIR``, else the repository's ``layers/`` in a checkout, else
        the copy installed with the package.
    """
    return _find("layers", LAYERS_ENV)


def sources_dir() -> Path:
    """Return the folder of the source documents (the plan and the news reports).

    Returns
    -------
    pathlib.Path
        ``$GEO_SOURCES_DIR``, else the repository's ``sources/`` in a checkout, else
        the copy installed with the package.
    """
    return _find("sources", SOURCES_ENV)


def notebooks_dir() -> Path | None:
    """Return the folder of the worked notebooks (and their sample data), if there is one.

    Returns
    -------
    pathlib.Path or None
        The repository's ``notebooks/`` in a checkout, else the copy installed with
        the package; ``None`` when neither exists.
    """
    root = checkout_root()
    found = root / "notebooks" if root is not None else packaged_dir("notebooks")
    return found if found is not None and found.is_dir() else None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def check_packaged(path: str | Path) -> None:
    """Refuse to write into the data installed with the package.

    Parameters
    ----------
    path
        A file or folder about to be written.

    Raises
    ------
    PackagedDataError
        If ``path`` lies inside the packaged ``layers`` or ``sources`` folder.
    """
    root = checkout_root()
    for name in _PACKAGES:
        folder = packaged_dir(name)
        if folder is None or (root is not None and _inside(folder, root)):
            continue  # an editable install maps the package onto the checkout's folder
        if _inside(Path(path), folder):
            raise PackagedDataError(
                f"{path}: this is the {name} folder installed with the package, which is "
                "read-only; copy the data to a folder of your own with `geo init DIR` and "
                f"set {LAYERS_ENV}=DIR/layers (or run from a checkout of the repository)"
            )


# --------------------------------------------------------------------------- outputs vs inputs
#: Files and folders the running command read (resolved); None outside a command.
_protected: ContextVar[set[Path] | None] = ContextVar("geo_data_inputs", default=None)
#: Files and folders the running code may write although they are data (resolved).
_grants: ContextVar[tuple[Path, ...]] = ContextVar("geo_data_grants", default=())


@contextlib.contextmanager
def command_inputs() -> Iterator[None]:
    """Run a command: no write inside the block may land on what the block reads.

    Outside such a block (a notebook reading a file, changing it and writing it
    back) only the data folders are protected.

    Yields
    ------
    None
    """
    token = _protected.set(set())
    try:
        yield
    finally:
        _protected.reset(token)


def protect(path: str | Path) -> None:
    """Note that the running command reads ``path``, so no output of it may land there.

    A no-op outside :func:`command_inputs`.

    Parameters
    ----------
    path
        An input file (or a folder of inputs).
    """
    inputs = _protected.get()
    if inputs is not None:
        inputs.add(Path(path).resolve())


@contextlib.contextmanager
def data_writes(*targets: str | Path) -> Iterator[None]:
    """Let the block write ``targets`` although they lie in a data folder.

    This is the permission the code that changes data (adding a layer, correcting
    the gazetteer, relinking the claims) grants itself for its own files; every
    other write into a data folder is refused by :func:`check_writable`.

    Parameters
    ----------
    *targets
        Files, or folders whose whole content may be written (a backup folder).

    Yields
    ------
    None
    """
    token = _grants.set(_grants.get() + tuple(Path(t).resolve() for t in targets))
    try:
        yield
    finally:
        _grants.reset(token)


def _where(real: Path) -> str | None:
    """Say which data ``real`` (resolved) would overwrite, or ``None``."""
    data = ((layers_dir(), "the data folder"), (sources_dir(), "the source documents folder"))
    for folder, what in data:
        folder = folder.resolve()
        if real == folder or real.is_relative_to(folder):
            return f"inside {what} {_shown(folder)}"
    for p in _protected.get() or ():
        if real == p:
            return "a file this command reads"
        if real.is_relative_to(p):
            return f"inside {_shown(p)}, which this command reads"
    return None


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def check_data_output(path: str | Path) -> None:
    """Refuse a write that would land on the data or on a file being read.

    Parameters
    ----------
    path
        A file about to be written (symlinks are followed).

    Raises
    ------
    OutputOnInputError
        If ``path`` resolves inside a data folder or onto a protected input, and the
        running code has not granted itself that target (:func:`data_writes`).
    """
    real = Path(path).resolve()
    if any(real == g or real.is_relative_to(g) for g in _grants.get()):
        return
    where = _where(real)
    if where is not None:
        raise OutputOnInputError(
            f"refusing to write {path}: it is {where}; choose an output outside it, "
            f"e.g. out/{Path(path).name or 'output'} (nothing was written)"
        )


def check_writable(path: str | Path) -> None:
    """Refuse a write into the packaged data, a data folder or an input being read.

    Parameters
    ----------
    path
        A file about to be written.

    Raises
    ------
    PackagedDataError
        If ``path`` lies inside the packaged ``layers`` or ``sources`` folder.
    OutputOnInputError
        If it lies in the data folders in use or on an input (see
        :func:`check_data_output`).
    """
    check_packaged(path)
    check_data_output(path)
