"""environment.yml (conda-forge) and pyproject.toml list the same runtime dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_runtime() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {_name(r) for r in data["project"]["dependencies"]}


def environment_runtime() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: sub-list
            names |= {_name(d) for d in dep.get("pip", []) if not d.startswith("-e")}
        else:
            names.add(_name(dep))
    return names - {"python", "pip"}


def test_runtime_dependencies_agree():
    py, env = pyproject_runtime(), environment_runtime()
    assert py - env == set(), f"in pyproject.toml but not environment.yml: {sorted(py - env)}"
    assert env - py == set(), f"in environment.yml but not pyproject.toml: {sorted(env - py)}"


def test_drift_would_be_caught():
    # The comparison itself must be able to fail: a renamed requirement is seen.
    assert _name("folium-offline>=0.20") == "folium-offline"
    assert _name("PyYAML >= 6") == "pyyaml"
    assert _name("geopandas[all]>=1") == "geopandas"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme.split("\n## ")[0]
    assert "make maps" in readme.split("\n## ")[0]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
