"""Timing for the benchmark: interleaved rounds in one process, and start-up commands.

Usage: imported by ``scripts/bench_measure.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Task:
    """One peer's run: ``run()`` returns the output to cross-check.

    ``level`` is ``kernel`` (metric data in, planar values out), ``whole`` (WGS-84 in,
    geodesic-quality values out) or ``floor`` (the least work that answers).
    """

    run: Callable[[], Any]
    level: str


def rounds(tasks: dict[str, Task], n_rounds: int) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Time every task once per round, reversing the order every other round.

    Returns
    -------
    tuple of dict
        Seconds per round by task, and each task's output from its last round.
    """
    times: dict[str, list[float]] = {name: [] for name in tasks}
    outputs: dict[str, Any] = {}
    for r in range(n_rounds):
        order = list(tasks) if r % 2 == 0 else list(reversed(tasks))
        for name in order:
            outputs.pop(name, None)  # free the previous round's output first
            t0 = time.perf_counter()
            outputs[name] = tasks[name].run()
            times[name].append(time.perf_counter() - t0)
    return times, outputs


def _hyperfine(commands: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hf.json"
        cmd = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", str(out)]
        cmd += [" ".join(c) for c in commands.values()]
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        results = json.loads(out.read_text())["results"]
    return {name: r["times"] for name, r in zip(commands, results, strict=True)}


def _repeat(commands: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(runs + 3):
        for name, cmd in commands.items() if r % 2 else reversed(commands.items()):
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
            if r >= 3:  # three warm-up runs, as hyperfine's --warmup 3
                times[name].append(time.perf_counter() - t0)
    return times


def _make_maps(root: Path, runs: int) -> list[float]:
    """Time ``make maps`` into a scratch site folder, after one untimed run."""
    times = []
    with tempfile.TemporaryDirectory() as site:
        for r in range(runs + 1):
            t0 = time.perf_counter()
            subprocess.run(
                ["make", "-s", "maps", f"SITE={site}"], cwd=root, check=True, capture_output=True
            )
            if r:
                times.append(time.perf_counter() - t0)
    return times


def startup_times(root: Path, runs: int, maps: bool) -> dict[str, Any]:
    """Time ``geo --help`` beside ``import geopandas`` and a bare interpreter.

    Uses hyperfine when it is installed (``apt-get install hyperfine``), else
    interleaved repeated runs. With ``maps``, also times ``make maps`` warm.
    """
    geo = str(Path(sys.executable).with_name("geo"))
    commands = {
        "geo --help": [geo, "--help"],
        "python -c 'import geopandas'": [sys.executable, "-c", "import geopandas"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    tool = "hyperfine" if shutil.which("hyperfine") else "repeated runs"
    if tool == "hyperfine":
        commands["python -c 'import geopandas'"] = [sys.executable, "-c", "'import geopandas'"]
        times = _hyperfine(commands, runs, root)
    else:
        times = _repeat(commands, runs, root)
    out: dict[str, Any] = {"tool": tool, "times": times}
    if maps:
        out["times"]["make maps (warm)"] = _make_maps(root, max(2, runs // 5))
    return out
