"""The one door data files come in by, and the one text policy.

Every reader of the toolkit (layer files, the catalog, the gazetteer, the claims
ledger, POI lists, CSV, shapefile and GeoPackage attributes) takes its bytes and its
text through here:

- :func:`read_file_bytes` refuses what is not a regular file (a folder, a FIFO, a
  device, a link to one) before opening it, and a file over its size limit before
  reading it;
- :func:`decode_utf8`, :func:`load_json`, :func:`load_yaml` and :func:`csv_rows`
  turn bytes into data with the limits of :mod:`geo.limits` (JSON depth, YAML
  aliases) checked first, and say where a broken file breaks;
- :func:`text_problem` and :func:`clean_text` are the text policy: a byte-order
  mark, zero-width space and word joiner are dropped (they are invisible and only
  break matching and printing); lone surrogates and control characters are refused
  (they cannot be written to UTF-8, KML or a PDF); line breaks in a one-line field
  (a name, a title) become a space. The zero-width (non-)joiners U+200C and U+200D
  are kept: they change how some scripts and emoji are drawn, so they carry meaning.

Every refusal is a :class:`~geo.errors.DataFileError` (or a subclass given by the
caller): one line naming the file, where in it, the problem and the fix.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import limits
from geo.errors import DataFileError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "check_regular_file",
    "clean_text",
    "clean_tree",
    "csv_rows",
    "decode_utf8",
    "load_json",
    "load_yaml",
    "read_csv_table",
    "read_file_bytes",
    "text_problem",
    "tree_text_problems",
]

#: Invisible characters dropped from all text: BOM (zero-width no-break space),
#: zero-width space, word joiner.
DROPPED = "\ufeff\u200b\u2060"
#: Line breaks, which become a space in a one-line field.
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\u0085\u2028\u2029]")
#: Control characters (C0 but tab and line breaks, DEL, C1 but NEL) and lone surrogates.
_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
_DROPPED = re.compile(f"[{DROPPED}]")
#: What to do about a refused character.
TEXT_FIX = "delete the character (it is invisible in most editors) or export the file again"


# --------------------------------------------------------------------------- text policy
def text_problem(value: str) -> str | None:
    """Say why ``value`` is refused by the text policy, or None when it is accepted.

    Parameters
    ----------
    value
        Text from a data file.

    Returns
    -------
    str or None
        E.g. ``control character U+0007 at character 2``.
    """
    found = _REFUSED.search(value)
    if found is None:
        return None
    code = ord(found.group())
    kind = "lone surrogate" if 0xD800 <= code <= 0xDFFF else "control character"
    return f"{kind} U+{code:04X} at character {found.start() + 1}"


def clean_text(value: str, *, single_line: bool = False) -> str:
    """Return ``value`` with invisible characters dropped (and line breaks made spaces).

    Parameters
    ----------
    value
        Text that passed :func:`text_problem`.
    single_line
        A name or title: line breaks and tabs become one space each.

    Returns
    -------
    str
    """
    if not value.isascii():
        value = _DROPPED.sub("", value)
    if single_line:
        value = _LINE_BREAKS.sub(" ", value).replace("\t", " ")
    return value


def _walk(tree: Any, path: str) -> Iterator[tuple[str, Any, Any, Any]]:
    """Yield (json path, container, key, value) for every string in a JSON-like tree."""
    stack: list[tuple[str, Any]] = [(path, tree)]
    seen: set[int] = set()  # a container shared by YAML aliases is visited once
    while stack:
        where, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            sub = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}".lstrip(".")
            if isinstance(value, str):
                yield sub, node, key, value
            elif isinstance(value, dict | list):
                stack.append((sub, value))
            if isinstance(key, str):
                yield f"{sub} (the key)", node, None, key


def tree_text_problems(tree: Any, path: str = "") -> list[tuple[str, str]]:
    """Return (json path, problem) for every string of a decoded document the policy refuses.

    Parameters
    ----------
    tree
        A decoded JSON or YAML document (dicts, lists, scalars).
    path
        The path of ``tree`` in its document, as a prefix.

    Returns
    -------
    list of tuple of (str, str)
    """
    if not isinstance(tree, dict | list):
        return []
    out = []
    for where, _, _, value in _walk(tree, path):
        found = text_problem(value)
        if found:
            out.append((where, found))
    return out


def clean_tree(tree: Any, single_line: frozenset[str] = frozenset()) -> None:
    """Clean every string of a decoded document in place (see :func:`clean_text`).

    Parameters
    ----------
    tree
        A decoded document that passed :func:`tree_text_problems`.
    single_line
        Keys whose values are one-line fields (names, titles).
    """
    if not isinstance(tree, dict | list):
        return
    renamed = []
    for _, node, key, value in list(_walk(tree, "")):
        if key is None:  # a dict key
            cleaned = clean_text(value, single_line=True)
            if cleaned != value:
                renamed.append((node, value, cleaned))
            continue
        node[key] = clean_text(value, single_line=key in single_line)
    for node, old, new in renamed:
        if new not in node:
            node[new] = node.pop(old)


# --------------------------------------------------------------------------- files
def read_file_bytes(
    path: str | Path,
    limit: int = limits.MAX_INPUT_BYTES,
    *,
    error: type[DataFileError] = DataFileError,
    what: str = "file",
) -> bytes:
    """Read a regular file of at most ``limit`` bytes; refuse anything else before opening.

    Parameters
    ----------
    path
        The file (a symbolic link is followed, and judged by what it points to).
    limit
        Largest size accepted, in bytes.
    error
        The error to raise (e.g. :class:`~geo.errors.GazetteerFileError`).
    what
        What the file is, for the messages (``gazetteer``, ``catalog``).

    Returns
    -------
    bytes

    Raises
    ------
    DataFileError
        If the file is missing, not a regular file, over the limit or unreadable.
    """
    path = Path(path)
    size = check_regular_file(path, error=error, what=what)
    if size > limit:
        raise error(
            str(path),
            "-",
            f"the {what} is {limits.human_bytes(size)}, more than the limit of "
            f"{limits.human_bytes(limit)}",
            "split or simplify the file" if what == "file" else f"check this is the {what}",
        )
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in cannot block
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        fix = "make the file readable (check its permissions) and run again"
        raise error(str(path), "-", f"cannot read the {what} ({exc.strerror})", fix) from None
    if len(data) > limit:
        raise error(str(path), "-", f"the {what} grew past the size limit", "run again")
    return data


def check_regular_file(
    path: str | Path, *, error: type[DataFileError] = DataFileError, what: str = "file"
) -> int:
    """Refuse a path that is not a regular file (folder, FIFO, device, dangling link).

    Checked with ``stat`` before anything opens the path, so a named pipe cannot make
    a reader wait and a device cannot feed it without end.

    Parameters
    ----------
    path
        The path (a symbolic link is judged by what it points to).
    error
        The error to raise.
    what
        What the file is, for the messages.

    Returns
    -------
    int
        The file's size in bytes.

    Raises
    ------
    DataFileError
        If the path is missing or not a regular file.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        problem = f"cannot open the {what} ({exc.strerror or exc})"
        dangling = path.is_symlink()
        fix = "the link points nowhere: replace it by the file" if dangling else "check the path"
        raise error(str(path), "-", problem, fix) from None
    if not stat.S_ISREG(st.st_mode):
        kind = _file_kind(st.st_mode)
        raise error(
            str(path),
            "-",
            f"the {what} is {kind}, not a file",
            "give a regular file" if what == "file" else f"put the {what} file itself there",
        )
    return st.st_size


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def decode_utf8(
    raw: bytes, path: str | Path, *, error: type[DataFileError] = DataFileError, what: str = "file"
) -> str:
    """Decode UTF-8 (a BOM is dropped); say where it is not UTF-8, and if it is GBK.

    Parameters
    ----------
    raw
        The file's content.
    path
        The file, for the message.
    error
        The error to raise.
    what
        What the file is.

    Returns
    -------
    str

    Raises
    ------
    DataFileError
        If the bytes are empty (or only whitespace), binary or not UTF-8.
    """
    if not raw.strip():
        raise error(str(path), "-", f"the {what} is empty", f"restore the {what} (e.g. from git)")
    if b"\x00" in raw[:8192]:
        raise error(
            str(path), "-", f"the {what} is binary, not text", f"restore the {what} (e.g. from git)"
        )
    try:
        return codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        chinese = _decodes_as(raw, "gb18030")
        hint = " (it reads as GBK/GB18030)" if chinese else ""
        fix = "re-save it as UTF-8" + (" (e.g. `iconv -f gbk -t utf-8`)" if chinese else "")
        raise error(str(path), f"line {line}", f"not UTF-8{hint}", fix) from None


def _decodes_as(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# --------------------------------------------------------------------------- formats
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(text: str | bytes) -> int:
    """Return how deeply a JSON text nests lists and objects, without parsing it.

    Parameters
    ----------
    text
        JSON text.

    Returns
    -------
    int
        The deepest nesting (0 for a scalar); brackets inside strings do not count.
    """
    import numpy as np

    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if raw.count(b"[") + raw.count(b"{") <= limits.MAX_JSON_DEPTH:
        return raw.count(b"[") + raw.count(b"{")  # cannot nest deeper than it opens
    brackets = _JSON_STRING.sub(b"", raw).translate(None, delete=_NOT_BRACKETS)
    steps = np.frombuffer(brackets, dtype=np.uint8)
    delta = np.where((steps == ord("[")) | (steps == ord("{")), 1, -1)
    return int(np.cumsum(delta).max(initial=0))


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def load_json(text: str, path: str | Path, *, error: type[DataFileError] = DataFileError) -> Any:
    """Parse JSON after checking its depth against :data:`geo.limits.MAX_JSON_DEPTH`.

    Parameters
    ----------
    text
        JSON text.
    path
        The file, for the message.
    error
        The error to raise.

    Returns
    -------
    Any

    Raises
    ------
    DataFileError
        If the text nests too deeply or is not JSON (naming line and column).
    """
    depth = json_depth(text)
    if depth > limits.MAX_JSON_DEPTH:
        raise error(
            str(path),
            "-",
            f"the JSON nests lists or objects too deeply ({depth} levels, more than the "
            f"limit of {limits.MAX_JSON_DEPTH})",
            "this is not a layer or point list: export the data again from its source",
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            str(path),
            "-",
            f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            "repair the JSON syntax (`python -m json.tool FILE` shows where)",
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4300 digits
        raise error(
            str(path), "-", f"cannot decode the JSON ({exc})", "write plain numbers and text"
        ) from None


def load_yaml(text: str, path: str | Path, *, error: type[DataFileError] = DataFileError) -> Any:
    """Parse YAML safely, refusing more than :data:`geo.limits.MAX_YAML_ALIASES` aliases.

    The C loader of libyaml is used when installed (a catalog of 1 000 layers loads
    in a fraction of a second); aliases are counted on the parser's event stream
    before the document is built.

    Parameters
    ----------
    text
        YAML text.
    path
        The file, for the message.
    error
        The error to raise.

    Returns
    -------
    Any

    Raises
    ------
    DataFileError
        If the YAML is malformed (naming line and column) or uses too many aliases.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
    try:
        # aliases are counted on the event stream, before any node is built
        aliases = sum(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=loader))
        if aliases > limits.MAX_YAML_ALIASES:
            raise error(
                str(path),
                "-",
                f"the YAML uses {aliases} aliases (*name), more than the limit of "
                f"{limits.MAX_YAML_ALIASES}: aliases can expand into billions of entries",
                "write the values out instead of aliasing them",
            )
        return yaml.load(text, Loader=loader)
    except DataFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "-"
        problem = " ".join(str(exc.problem or exc.context or "malformed YAML").split())
        raise error(str(path), where, f"broken YAML: {problem}", "repair the YAML there") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        problem = " ".join(str(exc).split())[:200]
        raise error(str(path), "-", f"broken YAML: {problem}", "repair the YAML") from None


def csv_rows(
    text: str,
    path: str | Path,
    required: tuple[str, ...],
    *,
    error: type[DataFileError] = DataFileError,
    what: str = "file",
) -> tuple[list[str], list[list[str]]]:
    """Split CSV text into its header and rows, checking the structure first.

    Parameters
    ----------
    text
        The CSV text.
    path
        The file, for the message.
    required
        Columns the header must hold.
    error
        The error to raise.
    what
        What the file is.

    Returns
    -------
    tuple of (list of str, list of list of str)
        The header and the rows, every row as long as the header.

    Raises
    ------
    DataFileError
        At the first row that is malformed (an unterminated quote, a wrong number of
        fields) or when a required column is missing or a column is named twice.
    """
    header, numbered = _numbered_rows(text, path, required, error, what)
    return header, [row for _, row in numbered]


def _numbered_rows(
    text: str, path: str | Path, required: tuple[str, ...], error: type[DataFileError], what: str
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Do :func:`csv_rows`, giving each row with its row number (the header is row 1)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        where = f"row {reader.line_num}"
        problem = f"malformed CSV ({exc})"
        raise error(str(path), where, problem, "close the quote or remove the stray one") from None
    header = rows[0] if rows else []
    missing = [c for c in required if c not in header]
    if missing:
        raise error(
            str(path),
            "row 1",
            f"the header lacks column(s) {', '.join(missing)}",
            f"restore the {what}'s header: {','.join(required)}",
        )
    twice = sorted({c for c in header if c and header.count(c) > 1})
    if twice:
        problem = f"the header names column(s) {', '.join(twice)} more than once"
        raise error(str(path), "row 1", problem, "keep one column of each name")
    for number, row in enumerate(rows[1:], start=2):
        if row and len(row) != len(header):
            raise error(
                str(path),
                f"row {number}",
                f"{len(row)} fields where the header has {len(header)}",
                "quote cells holding a comma, or add the missing cells",
            )
    return header, [(n, r) for n, r in enumerate(rows[1:], start=2) if r]


def read_csv_table(
    path: str | Path,
    required: tuple[str, ...],
    *,
    one_line: frozenset[str] = frozenset(),
    error: type[DataFileError] = DataFileError,
    what: str = "file",
    **read_csv: Any,
) -> pd.DataFrame:
    """Read a UTF-8 data CSV through the door: limits, structure, then the text policy.

    Parameters
    ----------
    path
        The CSV file (``gazetteer.csv``, ``claims.csv``).
    required
        Columns the header must hold.
    one_line
        Columns holding one-line text: line breaks there become a space.
    error
        The error to raise.
    what
        What the file is.
    **read_csv
        Passed to :func:`pandas.read_csv` (``dtype``, ``keep_default_na`` ...).

    Returns
    -------
    pandas.DataFrame
        The cleaned rows, typed as :func:`pandas.read_csv` types them; ``attrs["rows"]``
        holds each row's number in the file (the header is row 1; blank lines count),
        as an array (pandas deep-copies ``attrs`` on every slice; a list item by item).

    Raises
    ------
    DataFileError
        At the first problem, naming the file, the row, the column and the fix.
    """
    import pandas as pd

    raw = read_file_bytes(path, limits.MAX_DATA_FILE_BYTES, error=error, what=what)
    text = decode_utf8(raw, path, error=error, what=what)
    header, rows = _numbered_rows(text, path, required, error, what)
    cleaned = []
    for number, row in rows:
        for column, cell in zip(header, row, strict=True):
            found = text_problem(cell)
            if found:
                raise error(str(path), f"row {number}, column {column}", found, TEXT_FIX)
        cleaned.append(
            [clean_text(c, single_line=h in one_line) for h, c in zip(header, row, strict=True)]
        )
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *cleaned])
    table = pd.read_csv(io.StringIO(out.getvalue()), **read_csv)
    table.attrs["rows"] = pd.Index([n for n, _ in rows], dtype="int64").to_numpy()
    return table
