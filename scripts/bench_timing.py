"""Timing for the benchmark: interleaved rounds in one process, and start-up commands.

Usage: imported by ``scripts/bench_measure.py``.
"""

from __future__ import annotations

import json
import os
import shlex
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
        cmd += [shlex.join(c) for c in commands.values()]
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


#: The layer edited for the one-layer-changed build: drawn by Figure 8 and the overview.
CHANGED_LAYER = "science_parks.geojson"
#: Names of the three ``make maps`` timings.
MAKE_MAPS = ("make maps (cold)", "make maps (warm)", "make maps (one layer changed)")


def _edit_layer(path: Path, round_no: int) -> None:
    """Change one feature's name in a layer file: new content, same shape of data."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    props = doc["features"][0]["properties"]
    props["name_zh"] = f"{props['name_zh'].split(' #')[0]} #{round_no}"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def make_maps_times(root: Path, runs: int) -> dict[str, list[float]]:
    """Time ``make maps`` cold, warm and after one layer changed, ``runs`` rounds each.

    Each round builds into a fresh site folder (cold), builds again with nothing
    changed (warm), then edits one feature of :data:`CHANGED_LAYER` and builds again.
    The layers are a copy (``GEO_LAYERS_DIR``), so the repository's data stay as
    they are.
    """
    times: dict[str, list[float]] = {name: [] for name in MAKE_MAPS}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "layers"
        shutil.copytree(root / "layers", data)
        env = {**os.environ, "GEO_LAYERS_DIR": str(data)}

        def make(site: Path) -> float:
            t0 = time.perf_counter()
            cmd = ["make", "-s", "maps", f"SITE={site}"]
            subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
            return time.perf_counter() - t0

        for r in range(runs):
            site = Path(tmp) / f"site{r}"
            times[MAKE_MAPS[0]].append(make(site))
            times[MAKE_MAPS[1]].append(make(site))
            _edit_layer(data / CHANGED_LAYER, r)
            times[MAKE_MAPS[2]].append(make(site))
    return times


def startup_times(root: Path, runs: int, maps: bool) -> dict[str, Any]:
    """Time ``geo --help`` beside ``import geopandas`` and a bare interpreter.

    Uses hyperfine when it is installed (``apt-get install hyperfine``), else
    interleaved repeated runs. With ``maps``, also times ``make maps`` cold, warm and
    after one layer changed (:func:`make_maps_times`, three rounds).
    """
    geo = str(Path(sys.executable).with_name("geo"))
    commands = {
        "geo --help": [geo, "--help"],
        "python -c 'import geopandas'": [sys.executable, "-c", "import geopandas"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    tool = "hyperfine" if shutil.which("hyperfine") else "repeated runs"
    if tool == "hyperfine":
        times = _hyperfine(commands, runs, root)
    else:
        times = _repeat(commands, runs, root)
    out: dict[str, Any] = {"tool": tool, "times": times}
    if maps:
        out["maps"] = make_maps_times(root, max(3, runs // 5))
    return out
