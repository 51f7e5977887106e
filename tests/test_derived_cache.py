"""Derived layers, layer summaries and query results kept between runs.

* A derived layer read from the cache equals the one derived afresh (values, dtypes,
  index, CRS, geometry bytes, ``attrs``), and no rule runs for it.
* A changed input (a source file, a rule's parameters in the catalog, the gazetteer)
  makes the layers built on it derive again; the others stay kept.
* A damaged cache entry is never trusted: the layer is derived again, correctly,
  and the entry rewritten.
* ``geo layers`` and ``geo area cities`` served from the cache import no data
  library and print byte for byte what they print derived afresh.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

import geo.data.derive
from geo import Project

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"


@pytest.fixture
def derive_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count the derived layers computed by their rule, by id."""
    calls: Counter[str] = Counter()
    real = geo.data.derive.derive_layer

    def counting(spec, load, gazetteer=None):
        calls[spec.id] += 1
        return real(spec, load, gazetteer)

    monkeypatch.setattr(geo.data.derive, "derive_layer", counting)
    return calls


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the layers folder, to change inputs in."""
    target = tmp_path / "data" / "layers"
    shutil.copytree(LAYERS, target, ignore=shutil.ignore_patterns(".*"))
    return target


def derived_ids(project: Project) -> list[str]:
    return [s.id for s in project.catalog if s.is_derived]


def fresh(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lid: str):
    """Derive a layer with an empty cache of its own."""
    with monkeypatch.context() as m:
        m.setenv("GEO_CACHE_DIR", str(tmp_path / "fresh-cache" / lid))
        return Project(folder).layer(lid)


def assert_same(a, b) -> None:
    assert_geodataframe_equal(a, b, check_dtype=True, check_index_type=True, check_crs=True)
    assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))
    assert a.attrs == b.attrs


def test_a_kept_layer_equals_the_derived_one_and_no_rule_runs(
    derive_calls: Counter[str],
) -> None:
    first = Project()
    derived = {lid: first.layer(lid) for lid in derived_ids(first)}
    assert set(derive_calls) == set(derived)
    assert derived["rings"].attrs.get("not_derivable"), "a frame with attrs is covered"

    derive_calls.clear()
    again = Project()
    for lid, gdf in derived.items():
        assert_same(again.layer(lid), gdf)
    assert not derive_calls, f"derived again although nothing changed: {dict(derive_calls)}"


def _change_ridge(folder: Path) -> None:
    path = folder / "ridges.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    geometry = doc["features"][0]["geometry"]
    geometry["coordinates"] = [[x + 0.005, y] for x, y in geometry["coordinates"]]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _widen_screens(folder: Path) -> None:
    path = folder / "catalog.yaml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.split("rule: screens", 1)
    tail = tail.replace("half_width_m: 2000", "half_width_m: 2500", 2)  # the two screens
    path.write_text(head + "rule: screens" + tail, encoding="utf-8")


@pytest.mark.parametrize("change", [_change_ridge, _widen_screens])
def test_a_changed_input_derives_again_and_matches_a_fresh_derivation(
    change, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, derive_calls
) -> None:
    before = Project(folder)
    old = {lid: before.layer(lid) for lid in ("screens", "cities", "rings")}
    change(folder)
    derive_calls.clear()
    after = Project(folder)
    new = {lid: after.layer(lid) for lid in old}
    assert derive_calls["screens"] == 1
    assert derive_calls["cities"] == 1
    assert derive_calls["rings"] == 0, "rings read neither the ridges nor the screens"
    assert not new["cities"].geometry.geom_equals_exact(old["cities"].geometry, 0).all()
    for lid, gdf in new.items():
        assert_same(gdf, fresh(folder, tmp_path, monkeypatch, lid))


def test_a_changed_gazetteer_derives_the_rings_again(
    folder: Path, derive_calls: Counter[str]
) -> None:
    Project(folder).layer("rings")
    derive_calls.clear()
    Project(folder).layer("rings")
    assert derive_calls["rings"] == 0
    with (folder / "gazetteer.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    Project(folder).layer("rings")
    assert derive_calls["rings"] == 1


def _damage(path: Path, how: str) -> None:
    text = path.read_text(encoding="utf-8")
    if how == "truncated":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    elif how == "not json":
        path.write_bytes(b"\x00\xff garbage")
    elif how == "a list":
        path.write_text("[1, 2, 3]", encoding="utf-8")
    elif how == "geometry changed":  # valid JSON, the right key: only the hash tells
        doc = json.loads(text)
        wkb = doc["frame"]["wkb"]
        wkb[0] = shapely.box(106.3, 29.5, 106.4, 29.6).wkb_hex
        path.write_text(json.dumps(doc), encoding="utf-8")
    elif how == "key of another":
        doc = json.loads(text)
        doc["key"] = "0" * 64
        path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize(
    "how", ["truncated", "not json", "a list", "geometry changed", "key of another"]
)
def test_a_damaged_entry_is_not_trusted_and_is_rewritten(
    how: str, derive_calls: Counter[str]
) -> None:
    expected = Project().layer("cities")
    cache = Path(os.environ["GEO_CACHE_DIR"])
    frames = list(cache.rglob("cities.frame.json"))
    assert len(frames) == 1
    _damage(frames[0], how)

    derive_calls.clear()
    assert_same(Project().layer("cities"), expected)
    assert derive_calls["cities"] == 1
    derive_calls.clear()
    assert_same(Project().layer("cities"), expected)
    assert not derive_calls, "the damaged entry was rewritten"


def test_the_cache_is_kept_where_told_and_an_unwritable_one_only_costs_time(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "told"))
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    Project(folder).layers()
    assert list((tmp_path / "told").rglob("cities.frame.json"))
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GEO_CACHE_DIR", str(blocker / "cache"))
    assert len(Project().layer("cities")) == 2


LIGHT = """
import sys
from geo.cli import main
status = main(sys.argv[1:])
heavy = sorted(m for m in ("geopandas", "pandas", "shapely", "pyproj") if m in sys.modules)
print("imported:", heavy, file=sys.stderr)
sys.exit(status)
"""


def _geo(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GEO_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", LIGHT, *args], capture_output=True, text=True, env=env, check=False
    )


#: Each case starts two processes; ``area cities`` (slow) takes the path of ``area rings``.
@pytest.mark.parametrize(
    "args",
    [
        ("layers",),
        pytest.param(("area", "cities"), marks=pytest.mark.slow),
        ("area", "rings", "--unit", "km2", "--format", "json"),
    ],
)
def test_warm_commands_import_no_data_library_and_print_the_same(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    cold = _geo(*args, cache=tmp_path / "cache")
    warm = _geo(*args, cache=tmp_path / "cache")
    assert cold.returncode == warm.returncode == 0, cold.stderr + warm.stderr
    assert warm.stdout == cold.stdout
    assert "imported: []" in warm.stderr, warm.stderr
    assert warm.stderr.split("imported:")[0] == cold.stderr.split("imported:")[0]


def test_kept_summaries_read_no_file_until_one_changes(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.data.inputs

    reads: Counter[str] = Counter()
    real = geo.data.inputs.read_layer_file

    def counting(path, *args, **kw):
        reads[Path(path).stem] += 1
        return real(path, *args, **kw)

    monkeypatch.setattr(geo.data.inputs, "read_layer_file", counting)
    first = {s.spec.id: s.features for s in Project(folder).summaries()}
    reads.clear()
    assert {s.spec.id: s.features for s in Project(folder).summaries()} == first
    assert not reads, f"files read although nothing changed: {dict(reads)}"

    path = folder / "campuses.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = doc["features"][1:]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    after = {s.spec.id: s.features for s in Project(folder).summaries()}
    assert after["campuses"] == first["campuses"] - 1
    assert reads["campuses"] == 1
    assert {k: v for k, v in after.items() if k != "campuses"} == {
        k: v for k, v in first.items() if k != "campuses"
    }
