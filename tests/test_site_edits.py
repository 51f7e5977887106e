"""An edit to the data rebuilds what reads it, and the result is what a cold build gives.

The site is built from a copy of ``tests/data/maps`` with the project's claims
ledger and a small gazetteer; the prints are drawn at 30 dpi, and the thumbnails
(which need Chromium) are left out.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

from geo.site import steps as site_steps
from geo.site.build import build_site
from geo.site.cache import MANIFEST_NAME

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data" / "maps"
#: Every step but the thumbnails.
STEPS = ("report", "claims", "print", "locate", "offline", "online", "figures", "index")
GAZETTEER = (
    "name_zh,name_en,aliases,kind,lon,lat,source_datum,source,accuracy_m,note,within\n"
    "梁滩河谷,Liangtan valley,,park,106.330000,29.640000,wgs84,fixture,400,,\n"
    "土主,Tuzhu,,town,106.400000,29.700000,wgs84,fixture,800,,\n"
)


@pytest.fixture
def data(tmp_path, monkeypatch):
    """The fixture layers with the claims ledger and a gazetteer; the first science
    park stands on 梁滩河谷, and 土主 is named by no feature."""
    folder = tmp_path / "layers"
    shutil.copytree(DATA, folder)
    shutil.copy(ROOT / "layers" / "claims.csv", folder / "claims.csv")
    (folder / "gazetteer.csv").write_text(GAZETTEER, encoding="utf-8")
    parks = folder / "science_parks.geojson"
    doc = json.loads(parks.read_text(encoding="utf-8"))
    doc["features"][0]["geometry"] = None
    doc["features"][0]["properties"]["place"] = "梁滩河谷"
    parks.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("GEO_LAYERS_DIR", str(folder))
    monkeypatch.setitem(site_steps.PRINT_SETTINGS, "dpi", 30.0)
    return folder


def built(out: Path, steps: tuple[str, ...]) -> list[str]:
    """Build ``steps`` into ``out``; return the units built."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = build_site(out, jobs=1, steps=steps, progress=None)
    return sorted(u for r in results[1:] for u in r.built)


def retitle(data: Path, old: str, new: str) -> None:
    path = data / "catalog.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"title_en: {old}," in text
    path.write_text(text.replace(f"title_en: {old},", f"title_en: {new},"), encoding="utf-8")


def files(site: Path) -> dict[str, bytes]:
    """Every file of a site by path, the manifest aside."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }


@pytest.mark.slow
def test_a_layer_title_reworded_does_not_judge_the_claims_again_but_a_ledger_edit_does(
    data, tmp_path
):
    out = tmp_path / "site"
    assert built(out, ("claims",)) == ["claims"]
    retitle(data, "Science parks", "Parks of science")  # no claims page shows a title
    assert built(out, ("claims",)) == []
    ledger = data / "claims.csv"
    rows = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    ledger.write_text("".join(rows[:-1]), encoding="utf-8")  # the last claim dropped
    before = (out / "claims" / "claims_report.csv").read_bytes()
    assert built(out, ("claims",)) == ["claims"]
    assert (out / "claims" / "claims_report.csv").read_bytes() != before


@pytest.mark.slow
def test_a_site_rebuilt_after_an_edit_is_the_same_bytes_as_one_built_cold(data, tmp_path):
    """The safety net of the reuse: a moved place and a reworded title, built on top of
    the last build, give exactly the files a fresh build of the edited data gives."""
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    built(warm, STEPS)
    gazetteer = data / "gazetteer.csv"
    text = gazetteer.read_text(encoding="utf-8")
    gazetteer.write_text(text.replace("106.330000", "106.330300"), encoding="utf-8")
    retitle(data, "Campuses", "Universities")
    again = built(warm, STEPS)
    # the science parks (Figure 8) stand on the place moved; campuses are on 3 and 6
    for fig in ("fig3", "fig6", "fig8", "overview"):
        assert {f"print:{fig}", f"offline:{fig}", f"online:{fig}"} <= set(again)
    for fig in ("fig1", "fig2", "fig4", "fig5", "fig7"):
        assert not {f"print:{fig}", f"offline:{fig}", f"online:{fig}"} & set(again)
    built(cold, STEPS)
    assert files(warm) == files(cold)
    assert "Universities" in (warm / "fig3.html").read_text(encoding="utf-8")
