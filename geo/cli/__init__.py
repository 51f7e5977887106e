r"""The ``geo`` command line.

Each command group lives in ``geo/cli/cmd_<name>.py`` and exposes
``register(subparsers)``; :data:`COMMANDS` (a :class:`geo.registries.Registry`)
names each module, so adding a command is adding a module and its line there.
Commands parse arguments, call the library and print; an error of the toolkit
(:class:`~geo.errors.GeoError`) or of the operating system becomes one line and
exit status 2. Anything else is a fault of the toolkit: it
becomes one ``internal error`` line and exit status 70 (``geo --debug`` shows the
traceback), so no command ever prints a traceback.

The entry point also makes the output safe for any terminal and locale: standard
output and error never fail on a character their encoding lacks (it is written as
a ``\u`` escape), text written to a terminal shows control characters as escapes
(:func:`geo.console.terminal_text`), and arguments decoded under a C locale are
recovered as the UTF-8 text they were typed as.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import traceback
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

from geo._data import command_inputs, using_layers_dir
from geo._version import __version__
from geo.console import terminal_text
from geo.errors import GeoError, GeoWarning, InterruptedWriteWarning
from geo.registries import Registry

#: The command modules, one a line, in the order of ``geo --help``: each name to the
#: module whose ``register(subparsers)`` adds its subcommands (imported when the
#: parser is built).
COMMANDS: Registry[str] = Registry("command module")
for _name in (
    "cmd_claims",
    "cmd_db",
    "cmd_gazetteer",
    "cmd_gis",
    "cmd_init",
    "cmd_layers",
    "cmd_maps",
    "cmd_measure",
    "cmd_print",
    "cmd_site",
):
    COMMANDS.add(_name, f"geo.cli.{_name}")

#: Exit status of a fault of the toolkit itself (``EX_SOFTWARE`` of sysexits.h).
INTERNAL_ERROR_STATUS = 70
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
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an error (accepted anywhere on the line)",
    )
    parser.add_argument(
        "--db",
        metavar="DSN",
        help="read (and edit) the project in PostGIS instead of a folder, e.g. "
        "postgresql://gis@db.office/shapingba; also $GEO_DB (accepted anywhere on the line)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        importlib.import_module(module).register(sub)
    from geo.cli._help import annotate

    annotate(parser)
    return parser


def os_error_message(exc: OSError) -> str:
    """Return one line for an operating-system error: the path, what happened, the fix.

    Parameters
    ----------
    exc
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
    if exc.errno in (errno.EACCES, errno.EPERM) and path is not None:
        fix = _permission_fix(os.fsdecode(path))
    where = f"{os.fsdecode(path)}: " if path is not None else ""
    return f"{where}{what}; fix: {fix}"


def _permission_fix(name: str) -> str:
    """Say what a permission error was about: reading the file, or writing there."""
    path = Path(name)
    if path.is_symlink() or path.exists():
        wanted = os.R_OK | (os.X_OK if path.is_dir() else 0)
        if not os.access(path, wanted):
            return "you may not read it: ask its owner for access or change its permissions"
        if not os.access(path, os.W_OK):
            return "you may not write there: choose another path or change its permissions"
        return "the system refused access: check the permissions of the path and its folders"
    folder = path.absolute().parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        return "you may not write there: choose another path or change its permissions"
    return "the system refused access: check the permissions of the path and its folders"


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
                _say(f"geo: note: {message}")
            elif issubclass(category, GeoWarning):
                _say(f"geo {command}: warning: {message}")
            else:
                default(message, category, *rest, **kw)

        warnings.showwarning = show
        yield


def _say(line: str) -> None:
    """Print a message to standard error, control characters from data escaped."""
    print(terminal_text(line), file=sys.stderr)


def _quiet_stdout() -> None:
    """Point stdout at the null device, so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured)
        pass


class _TerminalStream:
    """A text stream that shows control characters as escapes (see ``terminal_text``)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _safe_streams() -> None:
    """Never fail on an unencodable character; escape control characters on a terminal."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        with suppress(AttributeError, ValueError, OSError):  # e.g. a captured stream
            stream.reconfigure(errors="backslashreplace")
        try:
            tty = not isinstance(stream, _TerminalStream) and stream.isatty()
        except (AttributeError, ValueError, OSError):
            tty = False
        if tty:
            setattr(sys, name, _TerminalStream(stream))


def recover_argument(arg: str) -> str:
    """Return an argument as typed, when a C locale decoded its UTF-8 bytes as escapes.

    Under ``LC_ALL=C`` (without UTF-8 mode) Python decodes each byte of a non-ASCII
    argument as a lone surrogate (``surrogateescape``); re-encoding gives the bytes
    back, and they are decoded as UTF-8 when they are UTF-8. An argument naming an
    existing file or folder is kept as it came: that form is the one the file
    system functions of such a locale can open.

    Parameters
    ----------
    arg
        One command-line argument.

    Returns
    -------
    str
    """
    if not any("\udc80" <= c <= "\udcff" for c in arg) or os.path.lexists(arg):
        return arg
    try:
        return os.fsencode(arg).decode("utf-8")
    except (UnicodeError, ValueError):
        return arg


def _split_debug(argv: Sequence[str]) -> tuple[list[str], bool]:
    """Take ``--debug`` out of the arguments (before a ``--``), wherever it stands."""
    args = [recover_argument(a) for a in argv]
    end = args.index("--") if "--" in args else len(args)
    head = [a for a in args[:end] if a != "--debug"]
    return head + args[end:], len(head) != end


def _split_db(args: list[str]) -> tuple[list[str], str | None]:
    """Take ``--db DSN`` (or ``--db=DSN``) out of the arguments, wherever it stands."""
    end = args.index("--") if "--" in args else len(args)
    head, dsn, i = [], None, 0
    while i < end:
        if args[i] == "--db" and i + 1 < end:
            dsn, i = args[i + 1], i + 2
            continue
        if args[i].startswith("--db="):
            dsn = args[i][len("--db=") :]
        else:
            head.append(args[i])
        i += 1
    return head + args[end:], dsn


@contextmanager
def _database(dsn: str | None, command: str) -> Iterator[None]:
    """Read the project from a database: ``$GEO_DB`` and the folder it is pulled into."""
    from geo.db.connection import DSN_ENV

    keep = os.environ.get(DSN_ENV)
    try:
        if dsn is not None:
            os.environ[DSN_ENV] = dsn
        folder = None
        if os.environ.get(DSN_ENV) and command != "db":
            from geo.db.snapshot import snapshot

            folder = snapshot(os.environ[DSN_ENV])[0]
        with using_layers_dir(folder):
            yield
    finally:
        if keep is None:
            os.environ.pop(DSN_ENV, None)
        else:
            os.environ[DSN_ENV] = keep


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "(no message)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Operating-system errors (a full disk, a read-only folder, a file where a folder
    is wanted) are printed as one line naming the path and the fix; a closed
    output pipe (``geo layers | head -1``) ends the command quietly; any other
    exception is a fault of the toolkit, printed as one ``internal error`` line
    (the traceback with ``--debug``).

    Parameters
    ----------
    argv
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 a check found problems, 2 bad input, usage or an
        operating-system error, 70 an internal error, 130 interrupted.
    """
    _safe_streams()
    args, debug = _split_debug(sys.argv[1:] if argv is None else argv)
    args, dsn = _split_db(args)
    command = next((a for a in args if not a.startswith("-")), "geo")
    try:
        parser = build_parser()
        parsed = parser.parse_args(args)
        if not getattr(parsed, "func", None):
            parser.print_help()
            return 2
        command = parsed.command
        return _run(parsed, debug, dsn)
    except KeyboardInterrupt:
        print(f"geo {command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a fault of the toolkit: one line, never a traceback
        if debug:
            traceback.print_exc()
        message = f"{type(exc).__name__}: {_one_line(str(exc))}"
        if dsn or os.environ.get("GEO_DB"):  # a driver's message may quote the DSN
            from geo.db.connection import scrub

            message = scrub(message, dsn or os.environ.get("GEO_DB", ""))
        _say(f"geo: internal error in {command}: {message}; please report with --debug output")
        return INTERNAL_ERROR_STATUS


def _run(args: argparse.Namespace, debug: bool, dsn: str | None = None) -> int:
    """Run the parsed command; expected errors become one line and status 2."""
    try:
        with _one_line_notes(args.command), command_inputs(), _database(dsn, args.command):
            status = int(args.func(args) or 0)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        _quiet_stdout()
        return 1
    except OSError as exc:
        if debug:
            traceback.print_exc()
        _say(f"geo {args.command}: error: {os_error_message(exc)}")
        return 2
    except (GeoError, GeoWarning) as exc:  # a warning arrives here under `-W error`
        if debug:
            traceback.print_exc()
        _say(f"geo {args.command}: error: {exc}")
        return 2
