"""Processes: print workers die with a killed parent; site folders never lead outside."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.cli import main

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _stat(pid: int) -> tuple[str, int] | None:
    """Return (state, parent pid) of a live process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def children(parent: int) -> list[int]:
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [pid for pid in pids if (s := _stat(pid)) is not None and s[1] == parent]


def alive(pid: int) -> bool:
    s = _stat(pid)
    return s is not None and s[0] not in ("Z", "X")  # a zombie has died


@pytest.mark.slow
def test_killing_geo_print_leaves_no_worker(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = ["print", "--out", str(tmp_path / "print"), "--figures", "2,3,4,6", "--jobs", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", *argv, "--dpi", "150"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            workers = [pid for pid in children(proc.pid) if alive(pid)]
        assert len(workers) >= 2, "the print workers never started"
        time.sleep(1.0)  # let them take work
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if alive(pid)], "workers outlived their parent"
    finally:
        with contextlib.suppress(OSError):
            proc.kill()
        for pid in workers:  # on failure, do not leave them running
            if alive(pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


def test_a_site_folder_linked_outside_the_site_is_refused_before_writing(tmp_path, capsys):
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    site.mkdir()
    elsewhere.mkdir()
    (site / "print").symlink_to(elsewhere)
    assert main(["site", "--out", str(site), "--no-thumbnails"]) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "error" in ln]
    assert len(lines) == 1, err
    assert f"{site / 'print'}" in lines[0]
    assert "symbolic link" in lines[0]
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in site.iterdir()) == ["print"]
