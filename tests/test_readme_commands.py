"""Every command the README's "Command line" section shows runs on the shipped data.

Each ``.venv/bin/geo ...`` line of that section is run as written, in order, on a
``geo init`` copy of the data, in a folder holding the two input files the lines name
(``my.geojson`` and ``pts.csv``).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from conftest import CQU_A, feature, point
from geo.cli import main

README = Path(__file__).parents[1] / "README.md"


def _commands() -> list[list[str]]:
    """The ``geo`` argument lists of the Command line section, continuation lines joined."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Command line", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Command line section has no bash block"
    joined = block.group(1).replace("\\\n", " ")
    lines = [ln.strip() for ln in joined.splitlines() if ln.strip().startswith(".venv/bin/geo")]
    return [shlex.split(ln, comments=True)[1:] for ln in lines]


COMMANDS = _commands()


def _expected_code(args: list[str], out: str) -> int:
    """``claims --strict`` exits 1 exactly when a claim is in conflict (as documented)."""
    if args[:1] == ["claims"] and "--strict" in args:
        return 1 if re.search(r"^\s*conflict\s+[1-9]", out, re.M) else 0
    return 0


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    assert main(["init", str(root / "work")]) == 0
    x, y = CQU_A
    doc = {"type": "FeatureCollection", "features": [feature("my-point-1", point(x, y))]}
    (root / "my.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (root / "pts.csv").write_text("name_zh,lon,lat\n测点,106.40,29.60\n", encoding="utf-8")
    return root


def test_the_section_shows_the_measures() -> None:
    shown = {args[0] for args in COMMANDS}
    assert {"area", "overlap", "near", "zones", "add-layer", "export"} <= shown


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
@pytest.mark.slow
def test_readme_command_runs(
    args: list[str], workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(workdir / "work" / "layers"))
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == _expected_code(args, out), f"geo {' '.join(args)}: {err.strip()}"
    if args[0] in ("area", "overlap", "near", "zones"):
        assert "(no rows)" not in out, f"geo {' '.join(args)} measured nothing"


def tmp_copy(layers: Path, workdir: Path, catalog: str) -> Path:
    """A copy of ``layers`` with another catalog text."""
    import shutil

    copy = workdir / "empty-zone" / "layers"
    shutil.copytree(layers, copy)
    (copy / "catalog.yaml").write_text(catalog, encoding="utf-8")
    return copy


def test_zones_names_the_zone_layer_it_leaves_out(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    layers = workdir / "work" / "layers"
    catalog = (layers / "catalog.yaml").read_text(encoding="utf-8")
    rings = catalog.index("  - id: rings")
    at = catalog.index("        radius_m: 800\n", rings)
    # No ring member is located to 1 m, so the rings layer derives no feature.
    empty = catalog[:at] + "        max_member_accuracy_m: 1\n" + catalog[at:]
    monkeypatch.setenv("GEO_LAYERS_DIR", str(tmp_copy(layers, workdir, empty)))
    assert main(["zones", "projects", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "note: zone layer rings holds no features: left out" in err
    assert "note:" not in out  # the CSV stays clean
    assert "belts" in out
