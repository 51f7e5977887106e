"""The ``geo`` command line.

Each command group lives in ``geo/cli/cmd_<name>.py`` and exposes
``register(subparsers)``; :data:`COMMANDS` lists them, so adding a command is adding
a module and its line there. Commands parse arguments, call the library and print;
an error of the toolkit (:class:`~geo.errors.GeoError`) or of the operating system
becomes one line and exit status 2.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from geo import __version__
from geo._errors import GeoError, GeoWarning, InterruptedWriteWarning

#: The command modules, one a line, in the order of ``geo --help``.
COMMANDS = [
    "cmd_claims",
    "cmd_gazetteer",
    "cmd_gis",
    "cmd_init",
    "cmd_layers",
    "cmd_maps",
    "cmd_measure",
    "cmd_print",
    "cmd_site",
]

#: What to do about an operating-system error, by errno.
OS_ERROR_FIXES = {
    errno.ENOSPC: "free disk space (or write elsewhere) and run again",
    errno.EDQUOT: "free space within your disk quota and run again",
    errno.EROFS: "the file system is read-only: write to another folder",
    errno.EACCES: "you may not write there: choose another path or change its permissions",
    errno.EPERM: "you may not write there: choose another path or change its permissions",
    errno.EISDIR: "that is a folder: give a file path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: give a folder path",
    errno.EEXIST: "a file is in the way: give a folder path, or move the file away",
    errno.ENAMETOOLONG: "the name is too long: use a shorter path or id",
    errno.ENOENT: "no such file or folder: check the path",
    errno.EXDEV: "the folder spans file systems: write within one file system",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every discovered subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="geo",
        description="Shapingba innovation-layout toolkit: layers, measures, claims and maps.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"geo.cli.{name}").register(sub)
    return parser


def os_error_message(exc: OSError) -> str:
    """Return one line for an operating-system error: the path, what happened, the fix.

    Parameters
    ----------
    exc : OSError
        The error.

    Returns
    -------
    str
    """
    if exc.errno is None:  # raised with a sentence of our own
        return str(exc)
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    what = exc.strerror or os.strerror(exc.errno)
    fix = OS_ERROR_FIXES.get(exc.errno, "check the path and the disk, then run again")
    where = f"{os.fsdecode(path)}: " if path is not None else ""
    return f"{where}{what}; fix: {fix}"


@contextmanager
def _one_line_notes(command: str) -> Iterator[None]:
    """Print the toolkit's warnings as one line each instead of a warning block.

    Every warning of the toolkit is shown each time it is given (a command run twice
    in one process reports twice).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("always", GeoWarning)
        default = warnings.showwarning

        def show(message, category, *rest, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
            if issubclass(category, InterruptedWriteWarning):
                print(f"geo: note: {message}", file=sys.stderr)
            elif issubclass(category, GeoWarning):
                print(f"geo {command}: warning: {message}", file=sys.stderr)
            else:
                default(message, category, *rest, **kw)

        warnings.showwarning = show
        yield


def _quiet_stdout() -> None:
    """Point stdout at the null device, so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Operating-system errors (a full disk, a read-only folder, a file where a folder
    is wanted) are printed as one line naming the path and the fix; a closed
    output pipe (``geo layers | head -1``) ends the command quietly.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 a check found problems, 2 bad input, usage or an
        operating-system error.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with _one_line_notes(args.command):
            status = int(args.func(args) or 0)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        _quiet_stdout()
        return 1
    except OSError as exc:
        print(f"geo {args.command}: error: {os_error_message(exc)}", file=sys.stderr)
        return 2
    except (GeoError, GeoWarning) as exc:  # a warning arrives here under `-W error`
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return 2
