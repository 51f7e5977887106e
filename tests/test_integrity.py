"""Data integrity of the layers folder: paths stay inside, writers take turns,
backups never collide, and a commit stopped half-way is finished by the next run."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import CQU_A
from geo._io import atomic_write_text
from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.errors import CatalogError
from geo.gis.registry import PropertyDefaults, add_layer, commit_layer

X, Y = CQU_A
FILL = ["--kind", "site", "--plan-ref", "p:L1", "--geometry-source", "digitized"]
FILL += ["--accuracy-m", "100", "--title-zh", "点", "--title-en", "Points", "--crs", "wgs84"]
DEFAULTS = PropertyDefaults("site", "p:L1", "digitized", 100)
#: Imports first, then waits for a start signal, so the runs really overlap.
RACER = """
import pathlib, sys, time
from geo.cli import main
import geo.gis.registry  # noqa: F401 - the heavy imports, before the start
pathlib.Path(sys.argv[1]).touch()
while not pathlib.Path(sys.argv[2]).exists():
    time.sleep(0.002)
sys.exit(main(sys.argv[3:]))
"""
#: Runs the CLI, killing itself (SIGKILL) at the rename of a given file name.
KILLER = """
import os, signal, sys
real = os.replace
def replace(src, dst, *a, **k):
    if os.path.basename(os.fspath(dst)) == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst, *a, **k)
os.replace = replace
from geo.cli import main
sys.exit(main(sys.argv[2:]))
"""


def csv_points(path: Path, n: int = 1, dx: float = 0.0) -> Path:
    rows = [f"点{i},P{i},{X + dx + i * 0.001},{Y},{'west' if i % 2 else 'east'}" for i in range(n)]
    head = "name_zh,name_en,lon,lat,cluster\n"  # the derived layer wants both clusters
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def env_for(layers: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "GEO_LAYERS_DIR": str(layers), **extra}


def data_files(directory: Path) -> dict[str, bytes]:
    """Every file of the folder except the lock file and kept backups."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != ".geo.lock" and ".backup" not in p.parts
    }


def catalog_ids(layers: Path) -> list[str]:
    doc = yaml.safe_load((layers / "catalog.yaml").read_text(encoding="utf-8"))
    return [e["id"] for e in doc["layers"]]


def set_sites_file(layers: Path, file: str) -> None:
    cat = layers / "catalog.yaml"
    text = cat.read_text(encoding="utf-8")
    cat.write_text(text.replace("file: sites.geojson", f"file: {file}"), encoding="utf-8")


# --------------------------------------------------------------------------- paths
def test_catalog_path_leaving_the_folder_is_refused_on_read(gis_layers, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.geojson").write_bytes((gis_layers / "sites.geojson").read_bytes())
    set_sites_file(gis_layers, "../outside/x.geojson")
    with pytest.raises(CatalogError) as info:
        _load_layer("sites")
    msg = str(info.value)
    assert "catalog.yaml" in msg
    assert "layer sites" in msg
    assert "outside the layers folder" in msg


def test_absolute_catalog_path_is_refused(gis_layers):
    set_sites_file(gis_layers, str(gis_layers / "sites.geojson"))
    with pytest.raises(CatalogError, match=r"layer sites: file .* outside the layers folder"):
        read_catalog()


def test_symlink_out_of_the_folder_is_refused(gis_layers, tmp_path):
    outside = tmp_path / "elsewhere.geojson"
    outside.write_bytes((gis_layers / "sites.geojson").read_bytes())
    (gis_layers / "sites.geojson").unlink()
    (gis_layers / "sites.geojson").symlink_to(outside)
    with pytest.raises(CatalogError, match=r"layer sites: .*link to .*elsewhere\.geojson"):
        _load_layer("sites")


def test_replace_never_writes_outside_the_folder(gis_layers, tmp_path):
    outside = tmp_path / "elsewhere.geojson"
    original = (gis_layers / "sites.geojson").read_bytes()
    outside.write_bytes(original)
    (gis_layers / "sites.geojson").unlink()
    (gis_layers / "sites.geojson").symlink_to(outside)
    src = csv_points(tmp_path / "new.csv")
    with pytest.raises(CatalogError, match="layer sites"):
        add_layer(src, "sites", "新", "New", "wgs84", defaults=DEFAULTS, replace=True)
    assert outside.read_bytes() == original
    assert (gis_layers / "sites.geojson").is_symlink()


def test_links_inside_the_folder_still_work(gis_layers):
    n = len(_load_layer("sites"))
    (gis_layers / "data").mkdir()
    (gis_layers / "sites.geojson").rename(gis_layers / "data" / "sites.geojson")
    (gis_layers / "sites.geojson").symlink_to(Path("data") / "sites.geojson")
    assert len(_load_layer("sites")) == n


# --------------------------------------------------------------------------- concurrency
def race(layers: Path, tmp_path: Path, runs: list[list[str]]) -> list[subprocess.CompletedProcess]:
    """Start one ``geo`` process per argument list, all released at the same instant."""
    go = tmp_path / "go"
    env = env_for(layers, GEO_LOCK_TIMEOUT="240")
    procs = []
    for i, argv in enumerate(runs):
        ready = tmp_path / f"ready{i}"
        cmd = [sys.executable, "-c", RACER, str(ready), str(go), *argv]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    deadline = time.monotonic() + 240
    while not all((tmp_path / f"ready{i}").exists() for i in range(len(runs))):
        assert time.monotonic() < deadline, "the processes did not start"
        assert all(p.poll() is None for p in procs), "a process ended before the start"
        time.sleep(0.05)
    go.touch()
    out = []
    for p, argv in zip(procs, runs, strict=True):
        stdout, stderr = p.communicate(timeout=240)
        out.append(
            subprocess.CompletedProcess(argv, p.returncode, stdout.decode(), stderr.decode())
        )
    return out


@pytest.mark.slow
def test_parallel_adds_with_different_ids_lose_no_entry(gis_layers, tmp_path):
    n = 8
    runs = [
        [
            "add-layer",
            str(csv_points(tmp_path / f"p{i}.csv", dx=i * 0.01)),
            "--id",
            f"par_{i}",
            *FILL,
        ]
        for i in range(n)
    ]
    results = race(gis_layers, tmp_path, runs)
    for r in results:
        assert r.returncode == 0, r.stderr
    ids = catalog_ids(gis_layers)
    assert sorted(i for i in ids if i.startswith("par_")) == [f"par_{i}" for i in range(n)]
    assert len(read_catalog()) == 3 + n  # district, sites, clusters and the new ones
    for i in range(n):
        assert len(_load_layer(f"par_{i}")) == 1


@pytest.mark.slow
def test_parallel_adds_with_the_same_id_let_exactly_one_win(gis_layers, tmp_path):
    n = 4  # inputs of some size keep each run busy between its check and its write
    runs = [
        ["add-layer", str(csv_points(tmp_path / f"s{i}.csv", n=200 + i)), "--id", "same", *FILL]
        for i in range(n)
    ]
    results = race(gis_layers, tmp_path, runs)
    codes = [r.returncode for r in results]
    assert sorted(codes) == [0] + [2] * (n - 1), [r.stderr for r in results]
    for loser in (r for r in results if r.returncode):
        assert "already in the catalog" in loser.stderr
        assert "Traceback" not in loser.stderr
    assert catalog_ids(gis_layers).count("same") == 1
    winner = codes.index(0)
    assert len(_load_layer("same")) == 200 + winner  # the winner's data, not overwritten


def hold_lock(layers: Path) -> subprocess.Popen:
    """Start a process that takes the folder's write lock and keeps it until killed."""
    code = (
        "import sys, time\n"
        "from geo._io import write_lock\n"
        "with write_lock(sys.argv[1]):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(layers)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.parametrize(
    "argv",
    [
        ["add-layer", "{csv}", "--id", "late", *FILL],
        ["claims", "--link"],
    ],
    ids=["add-layer", "claims-link"],
)
def test_a_second_writer_waits_then_fails_naming_the_lock(gis_layers, tmp_path, argv):
    (gis_layers / "claims.csv").write_text("claim_id,place,feature_id\n", encoding="utf-8")
    before = data_files(gis_layers)
    argv = [a.replace("{csv}", str(csv_points(tmp_path / "late.csv"))) for a in argv]
    holder = hold_lock(gis_layers)
    try:
        t0 = time.monotonic()
        r = subprocess.run(
            [sys.executable, "-m", "geo", *argv],
            env=env_for(gis_layers, GEO_LOCK_TIMEOUT="1"),
            capture_output=True,
            text=True,
            timeout=240,
        )
        waited = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert str(gis_layers / ".geo.lock") in r.stderr
    assert "GEO_LOCK_TIMEOUT" in r.stderr
    assert waited >= 1
    assert data_files(gis_layers) == before


# --------------------------------------------------------------------------- backups
def test_backups_in_the_same_instant_never_overwrite_each_other(gis_layers):
    original = (gis_layers / "sites.geojson").read_bytes()
    cat = (gis_layers / "catalog.yaml").read_text(encoding="utf-8")
    first = commit_layer(gis_layers, "sites.geojson", "first\n", cat, stamp="20260101T000000Z")
    second = commit_layer(gis_layers, "sites.geojson", "second\n", cat, stamp="20260101T000000Z")
    assert first != second
    assert first.read_bytes() == original
    assert second.read_text(encoding="utf-8") == "first\n"
    assert len(list((gis_layers / ".backup").glob("sites.*.geojson"))) == 2
    assert len(list((gis_layers / ".backup").glob("catalog.*.yaml"))) == 2


def test_two_quick_replaces_keep_both_previous_files(gis_layers, tmp_path):
    original = (gis_layers / "sites.geojson").read_bytes()
    kept = []
    for n in (2, 3):
        src = csv_points(tmp_path / f"v{n}.csv", n=n)
        result = add_layer(src, "sites", "站", "S", "wgs84", defaults=DEFAULTS, replace=True)
        kept.append(result.backup)
    assert kept[0] != kept[1]
    assert kept[0].read_bytes() == original
    assert len(json.loads(kept[1].read_text(encoding="utf-8"))["features"]) == 2


# --------------------------------------------------------------------------- interrupted commits
def killed_replace(layers: Path, tmp_path: Path, at: str) -> subprocess.CompletedProcess:
    src = csv_points(tmp_path / "new.csv", n=3)
    argv = ["add-layer", str(src), "--id", "sites", "--replace", *FILL]
    return subprocess.run(
        [sys.executable, "-c", KILLER, at, *argv],
        env=env_for(layers),
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_kill_between_the_two_renames_is_finished_by_the_next_run(gis_layers, tmp_path, capsys):
    r = killed_replace(gis_layers, tmp_path, at="catalog.yaml")
    assert r.returncode == -9  # really killed, half-way
    assert main(["layers"]) == 0
    err = capsys.readouterr().err
    notes = [ln for ln in err.splitlines() if "interrupted write" in ln]
    assert len(notes) == 1, err
    assert "sites.geojson" in notes[0]
    # layer and catalog agree again: the new layer with its new title
    assert read_catalog()["sites"].title_en == "Points"
    assert len(_load_layer("sites")) == 3
    assert not list(gis_layers.glob(".*.tmp"))
    assert not (gis_layers / ".geo-commit.json").exists()


def test_kill_before_the_journal_leaves_the_old_data(gis_layers, tmp_path, capsys):
    before = data_files(gis_layers)
    r = killed_replace(gis_layers, tmp_path, at=".geo-commit.json")
    assert r.returncode == -9
    assert main(["validate"]) == 0
    assert "removed 3 temporary file(s)" in capsys.readouterr().err
    assert data_files(gis_layers) == before  # the staged files are gone, the data as before


def test_kill_while_undoing_a_failed_commit_is_undone_by_the_next_run(gis_layers, tmp_path):
    before = data_files(gis_layers)
    # the catalog rename fails; the undo (restoring sites.geojson from its backup) is killed
    code = (
        "import os, signal, sys\n"
        "real = os.replace\n"
        "def replace(src, dst):\n"
        "    name, src_dir = os.path.basename(dst), os.path.basename(os.path.dirname(src))\n"
        "    if name == 'catalog.yaml':\n"
        "        raise OSError(28, 'No space left on device', dst)\n"
        "    if name == 'sites.geojson' and src_dir == '.backup':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(src, dst)\n"
        "os.replace = replace\n"
        "from geo.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    src = csv_points(tmp_path / "new.csv", n=3)
    r = subprocess.run(
        [sys.executable, "-c", code, "add-layer", str(src), "--id", "sites", "--replace", *FILL],
        env=env_for(gis_layers),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert r.returncode == -9, r.stderr
    with pytest.warns(UserWarning, match="undid an interrupted write"):
        read_catalog()
    assert data_files(gis_layers) == before


def test_stale_temporary_files_are_removed_by_the_next_run(gis_layers, capsys):
    before = data_files(gis_layers)
    (gis_layers / ".sites.geojson.k3j4h5.tmp").write_text("{half", encoding="utf-8")
    (gis_layers / "admin" / ".district.geojson.a1b2c3.tmp").write_text("", encoding="utf-8")
    assert main(["layers"]) == 0
    err = capsys.readouterr().err
    assert "removed 2 temporary file(s)" in err
    assert data_files(gis_layers) == before


def test_a_writer_mid_commit_is_not_mistaken_for_a_stopped_one(gis_layers, tmp_path):
    # another process holds the lock: its temporary files must be left alone
    tmp = gis_layers / ".sites.geojson.busy01.tmp"
    holder = hold_lock(gis_layers)
    try:
        tmp.write_text("in progress", encoding="utf-8")
        assert len(read_catalog()) == 3
        assert tmp.exists()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "journal",
    [
        "{half a journ",
        '{"mode": "forward", "moves": [{"staged": "../victim.txt", "target": "sites.geojson",'
        ' "backup": null, "created": false}]}',
    ],
    ids=["broken", "path-outside"],
)
def test_a_bad_journal_is_reported_and_nothing_is_moved(gis_layers, tmp_path, capsys, journal):
    victim = tmp_path / "victim.txt"
    victim.write_text("stay here", encoding="utf-8")
    (gis_layers / ".geo-commit.json").write_text(journal, encoding="utf-8")
    before = data_files(gis_layers)
    assert main(["layers"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(gis_layers / ".geo-commit.json") in err
    assert victim.read_text(encoding="utf-8") == "stay here"
    assert data_files(gis_layers) == before


# --------------------------------------------------------------------------- the writer
def test_atomic_write_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    private = tmp_path / "private.txt"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    atomic_write_text(private, "new")
    assert private.read_text(encoding="utf-8") == "new"
    assert private.stat().st_mode & 0o777 == 0o600
    umask = os.umask(0)
    os.umask(umask)
    fresh = atomic_write_text(tmp_path / "fresh.txt", "x")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # as a plain open() makes it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "private.txt"]


def test_files_are_renamed_into_place_in_one_module_only():
    package = Path(__file__).resolve().parents[1] / "geo"
    calls = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if (
                isinstance(node, ast.Call)
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "os"
                and func.attr in {"replace", "rename"}
            ):
                calls.append(str(path.relative_to(package)))
    assert calls == ["_io.py"]
