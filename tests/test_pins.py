"""folium-offline is pinned exactly: the offline maps read its private asset table."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pinned(requirements: list[str], name: str) -> list[str]:
    return [r for r in requirements if re.match(rf"^{re.escape(name)}\s*[<>=!~]", r)]


def test_folium_offline_is_pinned_to_the_installed_version():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    want = f"folium-offline=={version('folium-offline')}"
    assert pinned(deps["dependencies"], "folium-offline") == [want]
    assert pinned(pip, "folium-offline") == [want]


def test_the_pinned_package_still_has_the_table_the_maps_read():
    from offlinefolium.elements import _res

    assert any("leaflet" in str(url) for url in _res)
