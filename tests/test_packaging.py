"""The package installs anywhere: one data finder, a wheel with the data, `geo --version`.

The slow test builds the wheel, installs it into a fresh virtual environment whose
dependencies come from the project's own environment (a ``.pth`` file, so no network
is needed), and runs the commands from a folder outside the repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from geo import _data
from geo.cli import main
from geo.data.gazetteer import default_path

ROOT = Path(__file__).resolve().parents[1]
AMAP = ROOT / "tests" / "data" / "gazetteer_fix" / "amap_pois_gcj02.json"


def _tracked(folder: str) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [line for line in out.stdout.splitlines() if line]


# --------------------------------------------------------------------------- finder
def test_one_finder_for_every_data_file(tmp_path, monkeypatch):
    from geo.claims import ledger_path
    from geo.data.catalog import layers_dir

    monkeypatch.setenv("GEO_LAYERS_DIR", str(tmp_path))
    assert layers_dir() == tmp_path
    assert default_path() == tmp_path / "gazetteer.csv"
    assert ledger_path() == tmp_path / "claims.csv"
    monkeypatch.delenv("GEO_LAYERS_DIR")
    assert layers_dir() == ROOT / "layers"
    assert ledger_path() == ROOT / "layers" / "claims.csv"
    assert _data.sources_dir() == ROOT / "sources"


def test_no_module_finds_the_data_folder_itself():
    offenders = []
    for path in (ROOT / "geo").rglob("*.py"):
        if path.name == "_data.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"(environ|getenv).{0,12}GEO_LAYERS_DIR|parents\[1\]|parent\.parent", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_writing_into_the_packaged_data_is_refused(tmp_path, monkeypatch):
    from geo._io import atomic_write_text
    from geo.errors import PackagedDataError

    packaged = tmp_path / "site-packages" / "geo_data" / "layers"
    packaged.mkdir(parents=True)
    monkeypatch.setattr(_data, "packaged_dir", lambda name: packaged if name == "layers" else None)
    with pytest.raises(PackagedDataError, match=r"geo init DIR.*GEO_LAYERS_DIR"):
        atomic_write_text(packaged / "gazetteer.csv", "x")
    assert not (packaged / "gazetteer.csv").exists()
    # elsewhere writes go ahead
    assert atomic_write_text(tmp_path / "ok.txt", "x").read_text() == "x"


def test_geo_init_copies_the_data(tmp_path, capsys):
    assert main(["init", str(tmp_path / "work")]) == 0
    assert "GEO_LAYERS_DIR=" in capsys.readouterr().out
    for rel in _tracked("layers"):
        assert (tmp_path / "work" / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    assert (tmp_path / "work" / "sources" / "002_8a077782b689f185.txt").is_file()
    for rel in _tracked("notebooks"):  # the notebooks, beside the layers they open
        assert (tmp_path / "work" / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    assert main(["init", str(tmp_path / "work")]) == 2  # never overwrites


def test_site_without_playwright_says_so_in_one_line(tmp_path, monkeypatch):
    from geo.site.build import build_site

    monkeypatch.setitem(sys.modules, "playwright", None)  # as if not installed
    results = build_site(tmp_path / "site", 1, ["offline", "thumbnails"])
    thumbs = next(r for r in results if r.name == "thumbnails")
    assert thumbs.built == []
    (note,) = thumbs.notes
    assert "playwright" in note
    assert "[site]" in note
    assert "\n" not in note
    assert (tmp_path / "site" / "offline" / "fig2.html").is_file()


# --------------------------------------------------------------------------- CLI
def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == "geo 0.1.0"


def test_layers_as_json(capsys):
    assert main(["layers", "--no-load", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = [r["id"] for r in rows]
    assert "district" in ids
    assert "rd_platforms" in ids
    assert next(r for r in rows if r["id"] == "district")["title_zh"] == "沙坪坝区"


def test_gazetteer_match_as_json(fix_layers, capsys):
    assert main(["gazetteer", "match", str(AMAP), "--crs", "gcj02", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows
    assert any("西南政法大学" in str(r.values()) for r in rows)
    assert {"place", "status", "flags"} <= set(rows[0])


# --------------------------------------------------------------------------- wheel
def build_wheel(out: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)]
    try:
        import setuptools

        if int(setuptools.__version__.split(".")[0]) >= 77:
            cmd.append("--no-build-isolation")  # build offline with the venv's setuptools
    except ImportError:
        pass
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("*.whl")
    return wheel


def test_wheel_names_every_data_file(tmp_path):
    names = set(zipfile.ZipFile(build_wheel(tmp_path)).namelist())
    for rel in _tracked("layers"):
        assert f"geo_data/{rel}" in names, rel
    for rel in _tracked("sources"):
        assert f"geo_data/{rel}" in names, rel
    for rel in _tracked("notebooks"):
        assert f"geo_data/{rel}" in names, rel
    for rel in _tracked("geo"):
        assert rel in names, rel


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies (not the project) come from this environment: a plain path
    # line, so its editable-install hook is not run and `geo` is only the wheel's.
    Path(purelib, "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # without PYTHONPATH: a checkout on it (with the build's egg-info) would look installed
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
        env=clean,
    )
    assert (venv / "bin" / "geo").is_file()
    return venv


@pytest.mark.slow
def test_installed_wheel_runs_from_any_folder(tmp_path):
    venv = _fresh_venv(tmp_path, build_wheel(tmp_path / "dist"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_", "PYTHON"))}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / args[0]), *args[1:]],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    where = run("python", "-c", "import geo, geo._data as d; print(geo.__file__, d.layers_dir())")
    geo_file, layers = where.stdout.split()
    assert Path(geo_file).is_relative_to(venv), where.stdout
    assert Path(layers).is_relative_to(venv), where.stdout
    assert (Path(layers) / "catalog.yaml").is_file()

    listed = run("geo", "layers", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert {r["id"] for r in json.loads(listed.stdout)} >= {"district", "rings", "rd_platforms"}

    maps = run("geo", "maps", "--out", str(elsewhere / "site"), "--basemap", "none")
    assert maps.returncode == 0, maps.stderr
    assert (elsewhere / "site" / "fig2.html").stat().st_size > 10_000
    assert "沙坪坝区" in (elsewhere / "site" / "fig2.html").read_text(encoding="utf-8")

    claims = run("geo", "claims", "--format", "json")
    assert claims.returncode in (0, 1), claims.stderr
    assert len(json.loads(claims.stdout)) > 100

    version = run("geo", "--version")
    assert version.stdout.strip() == "geo 0.1.0"

    refused = run(
        "geo", "gazetteer", "set", "重庆大学A区", "--lon", "106.47", "--lat", "29.57",
        "--crs", "wgs84", "--source", "test",
    )  # fmt: skip
    assert refused.returncode == 2
    assert "geo init DIR" in refused.stderr


@pytest.mark.slow
def test_installed_wheel_inits_a_folder_whose_notebooks_and_site_run(tmp_path):
    """`geo init DIR` then the notebooks (nbmake) and `geo site`, all outside the checkout."""
    venv = _fresh_venv(tmp_path, build_wheel(tmp_path / "dist"))
    work = tmp_path / "work"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_", "PYTHON"))}

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / args[0]), *args[1:]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    init = run("geo", "init", str(work))
    assert init.returncode == 0, init.stderr
    env["GEO_LAYERS_DIR"] = str(work / "layers")  # as `geo init` says
    books = sorted((work / "notebooks").glob("*.ipynb"))
    assert [b.name for b in books] == [Path(r).name for r in _tracked("notebooks/*.ipynb")]
    nb = run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbmake",
        *map(str, books), cwd=work,
    )  # fmt: skip
    assert nb.returncode == 0, nb.stdout[-3000:] + nb.stderr[-2000:]

    site = run("geo", "site", "--out", str(work / "site"), "--no-thumbnails", cwd=work)
    assert site.returncode == 0, site.stderr
    assert "Traceback" not in site.stderr
    for name in ("index.html", "fig2.html", "report.pdf", "locate.html", "claims/index.html"):
        assert (work / "site" / name).is_file(), name
