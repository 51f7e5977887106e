"""The entry point: no traceback ever, any locale, control characters shown escaped."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import geo_in_process
from geo.cli import build_parser, main, os_error_message

REPO = Path(__file__).resolve().parents[1]


def boom(args):
    raise ZeroDivisionError("division by zero\nsecond line")


def layers_run_by(monkeypatch, func):
    """Make `geo layers` run ``func``."""
    real = build_parser

    def parser():
        p = real()
        p._subparsers._group_actions[0].choices["layers"].set_defaults(func=func)
        return p

    monkeypatch.setattr("geo.cli.build_parser", parser)


@pytest.fixture
def broken_layers(monkeypatch):
    """`geo layers` raising an exception that is no error of the toolkit."""
    layers_run_by(monkeypatch, boom)


def test_control_characters_in_an_error_message_are_escaped(monkeypatch, capsys):
    from geo.errors import GazetteerError

    def unknown_place(args):
        raise GazetteerError("place 西政\x1b]0;owned\x07\x1b[2J is not in the gazetteer")

    layers_run_by(monkeypatch, unknown_place)
    assert main(["layers"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    escaped = "place 西政\\x1b]0;owned\\x07\\x1b[2J is not in the gazetteer"
    assert err == f"geo layers: error: {escaped}\n"


def test_an_unexpected_exception_is_one_internal_error_line(broken_layers, capsys):
    assert main(["layers"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines() == [
        "geo: internal error in layers: ZeroDivisionError: division by zero second line; "
        "please report with --debug output"
    ]


@pytest.mark.parametrize("argv", [["--debug", "layers"], ["layers", "--debug"]])
def test_debug_shows_the_traceback(broken_layers, capsys, argv):
    assert main(argv) == 70
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert 'raise ZeroDivisionError("division by zero' in err
    assert err.rstrip().endswith("please report with --debug output")


def test_a_read_permission_error_is_not_called_a_write_problem(tmp_path, monkeypatch):
    secret = tmp_path / "secret.geojson"
    secret.write_text("{}", encoding="utf-8")
    real = os.access
    monkeypatch.setattr(  # the tests may run as root, who may read anything
        os, "access", lambda p, mode: False if Path(p) == secret else real(p, mode)
    )
    line = os_error_message(PermissionError(errno.EACCES, "Permission denied", str(secret)))
    assert line.startswith(f"{secret}: Permission denied; fix: you may not read it")
    assert "write" not in line


# --------------------------------------------------------------------------- subprocesses
def run_geo(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON"))}
    base.update(PYTHONPATH=str(REPO), GEO_LAYERS_DIR=str(tmp_path / "layers"), **env)
    base["GEO_SOURCES_DIR"] = str(tmp_path / "sources")
    return subprocess.run(
        [sys.executable, "-m", "geo", *argv], env=base, capture_output=True, timeout=300
    )


def in_data(data: Path, monkeypatch, capsys, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``geo ARGV`` in-process on the data folder ``data`` (as ``run_geo`` does)."""
    monkeypatch.setenv("GEO_LAYERS_DIR", str(data / "layers"))
    monkeypatch.setenv("GEO_SOURCES_DIR", str(data / "sources"))
    return geo_in_process(capsys, *argv)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    assert main(["init", str(folder)]) == 0
    return folder


LOCALES = {
    "ascii-io": {"PYTHONIOENCODING": "ascii"},
    "c-locale": {"LC_ALL": "C", "PYTHONUTF8": "0"},
}


#: What Python makes of standard output under each locale: ascii, and the error
#: handler it starts with (a C locale without UTF-8 mode: surrogateescape).
STREAM_ERRORS = {"ascii-io": "strict", "c-locale": "surrogateescape"}
ARGVS = {
    "layers": ["layers"],
    "layers-json": ["layers", "--format", "json"],
    "near": ["near", "projects", "campuses"],
}


@pytest.mark.parametrize("locale", LOCALES)
def test_chinese_output_never_crashes_on_an_ascii_locale(data, locale):
    r = run_geo(data, *ARGVS["near"], **LOCALES[locale])
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in r.stderr
    assert b"\\u" in r.stdout  # the Chinese names, escaped, not dropped


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("argv", ARGVS)
def test_chinese_output_never_crashes_on_an_ascii_stream(data, locale, argv, monkeypatch):
    streams = {
        name: io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors=STREAM_ERRORS[locale])
        for name in ("stdout", "stderr")
    }
    for name, stream in streams.items():
        monkeypatch.setattr(sys, name, stream)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(data / "layers"))
    monkeypatch.setenv("GEO_SOURCES_DIR", str(data / "sources"))
    status = main(ARGVS[argv])
    for stream in streams.values():
        stream.flush()
    out, err = (stream.buffer.getvalue() for stream in streams.values())
    assert status == 0, err.decode("ascii")
    assert b"Traceback" not in err
    assert b"\\u" in out  # the Chinese names, escaped, not dropped


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.slow
def test_a_chinese_argument_under_a_c_locale_finds_its_place(data, locale):
    argv = ["gazetteer", "set", "西政", "--lon", "106.432", "--lat", "29.612"]
    r = run_geo(data, *argv, "--crs", "wgs84", "--source", "survey", "--dry-run", **LOCALES[locale])
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in r.stderr
    assert "西南政法大学".encode("unicode_escape") in r.stdout.replace(b"\\U0000", b"\\u")


def test_control_characters_in_a_poi_name_are_refused_and_never_printed_raw(
    data, tmp_path, monkeypatch, capsys
):
    # The reading door refuses the name; its one error line must not carry the
    # escape sequences to the terminal either.
    poi = tmp_path / "poi.csv"
    name = "重庆大学\x1b]0;pwned\x07\x1b[2J\x9b"
    poi.write_text(f"name,lon,lat\n{name},106.4662,29.5665\n", encoding="utf-8")
    r = in_data(data, monkeypatch, capsys, "gazetteer", "match", str(poi), "--crs", "wgs84")
    assert r.returncode == 2
    err = r.stderr
    assert "U+001B" in err
    assert "Traceback" not in err
    assert not any(c in err + r.stdout for c in "\x1b\x07\x9b")


def test_escape_sequences_in_an_error_are_printed_escaped(data, tmp_path, monkeypatch, capsys):
    missing = tmp_path / "poi\x1b]0;pwned\x07\x1b[2J.csv"
    r = in_data(data, monkeypatch, capsys, "gazetteer", "match", str(missing), "--crs", "wgs84")
    assert r.returncode != 0
    err = r.stderr
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in err
