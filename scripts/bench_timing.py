"""Timing for the benchmark: interleaved rounds in one process, and start-up commands.

Usage: imported by ``scripts/bench_measure.py``.
"""

from __future__ import annotations

import csv
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


def _hyperfine(
    commands: dict[str, list[str]], runs: int, cwd: Path, env: dict[str, str]
) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hf.json"
        cmd = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", str(out)]
        cmd += [shlex.join(c) for c in commands.values()]
        subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
        results = json.loads(out.read_text())["results"]
    return {name: r["times"] for name, r in zip(commands, results, strict=True)}


def _repeat(
    commands: dict[str, list[str]], runs: int, cwd: Path, env: dict[str, str]
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(runs + 3):
        for name, cmd in commands.items() if r % 2 else reversed(commands.items()):
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
            if r >= 3:  # three warm-up runs, as hyperfine's --warmup 3
                times[name].append(time.perf_counter() - t0)
    return times


#: Names of the ``geo site`` timings, with their goals in seconds (``None``: no goal).
SITE: dict[str, float | None] = {
    "geo site (cold)": 12.0,
    "geo site (warm)": 1.5,
    "geo site (one gazetteer place moved)": 5.0,
    "geo site (one catalog title changed)": None,
}
#: Start-up commands with a goal (seconds), run in a ``geo init`` copy.
STARTUP_GOAL = 0.35
#: Lines of ``geo site``'s summary that name the units it built, by timing name.
Built = dict[str, list[str]]


def _move_place(layers: Path, round_no: int) -> str:
    """Move the first gazetteer place with a numeric position by about 30 m; return it."""
    gaz = layers / "gazetteer.csv"
    with gaz.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    lon = rows[0].index("lon")
    row = next(r for r in rows[1:] if r[lon].replace(".", "", 1).isdigit())
    row[lon] = f"{float(row[lon]) + (0.0003 if round_no % 2 == 0 else -0.0003):.6f}"
    with gaz.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return row[0]


def _retitle(layers: Path, round_no: int) -> str:
    """Reword the first ``title_en`` of the catalog; return the new line."""
    cat = layers / "catalog.yaml"
    lines = cat.read_text(encoding="utf-8").split("\n")
    i = next(i for i, line in enumerate(lines) if line.strip().startswith("title_en:"))
    lines[i] = lines[i].split(" (edit ")[0].rstrip() + f" (edit {round_no})"
    cat.write_text("\n".join(lines), encoding="utf-8")
    return lines[i].strip()


def _built(stdout: str) -> list[str]:
    """Return the summary lines of the steps ``geo site`` built (not those it reused)."""
    return [" ".join(line.split()) for line in stdout.splitlines() if " built " in line]


def site_times(root: Path, runs: int) -> tuple[dict[str, list[float]], Built, list[str]]:
    """Time ``geo site`` cold, warm and after two realistic edits, ``runs`` rounds each.

    The data are a ``geo init`` copy (``GEO_LAYERS_DIR``), so the repository's stay as
    they are. Each round builds into a fresh site folder (cold), builds again with
    nothing changed (warm), moves one gazetteer place (:func:`_move_place`) and builds
    again, then rewords one catalog title (:func:`_retitle`) and builds again.

    Returns
    -------
    tuple
        Seconds by timing name; the steps each timing's last round built; what the
        edits changed.
    """
    geo = str(Path(sys.executable).with_name("geo"))
    times: dict[str, list[float]] = {name: [] for name in SITE}
    built: Built = {}
    edits: list[str] = []
    cold, warm, moved, retitled = list(SITE)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([geo, "init", tmp], check=True, capture_output=True)
        layers = Path(tmp) / "layers"
        env = {**os.environ, "GEO_LAYERS_DIR": str(layers)}

        def build(site: Path, name: str) -> None:
            t0 = time.perf_counter()
            cmd = [geo, "site", "--out", str(site)]
            done = subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t0)
            built[name] = _built(done.stdout.decode("utf-8", "replace"))

        for r in range(runs):
            site = Path(tmp) / f"site{r}"
            build(site, cold)
            build(site, warm)
            place = _move_place(layers, r)
            build(site, moved)
            title = _retitle(layers, r)
            build(site, retitled)
        edits = [f"gazetteer place `{place}` moved by 0.0003° of longitude", f"`{title}`"]
    return times, built, edits


def startup_times(root: Path, runs: int, maps: bool) -> dict[str, Any]:
    """Time the start-up of ``geo layers`` and ``geo area cities`` beside their references.

    ``geo --help``, ``import geopandas`` and a bare interpreter are timed too. Uses
    hyperfine when it is installed (``apt-get install hyperfine``), else interleaved
    repeated runs (three warm-up runs each). The commands read a ``geo init`` copy.
    With ``maps``, also times ``geo site`` cold, warm and after an edit
    (:func:`site_times`, three rounds).
    """
    geo = str(Path(sys.executable).with_name("geo"))
    commands = {
        "geo layers": [geo, "layers"],
        "geo area cities": [geo, "area", "cities"],
        "geo --help": [geo, "--help"],
        "python -c 'import geopandas'": [sys.executable, "-c", "import geopandas"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    tool = "hyperfine" if shutil.which("hyperfine") else "repeated runs"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([geo, "init", tmp], check=True, capture_output=True)
        env = {**os.environ, "GEO_LAYERS_DIR": str(Path(tmp) / "layers")}
        if tool == "hyperfine":
            times = _hyperfine(commands, runs, root, env)
        else:
            times = _repeat(commands, runs, root, env)
    out: dict[str, Any] = {"tool": tool, "times": times}
    if maps:
        out["maps"], out["maps_built"], out["maps_edits"] = site_times(root, max(3, runs // 5))
    return out
