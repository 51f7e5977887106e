"""The test run keeps to its own folders: module-wide fixtures never use the user's cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def module_cache() -> str | None:
    """The layer cache a module-wide fixture (set up before any test's own) would use."""
    return os.environ.get("GEO_CACHE_DIR")


def test_a_module_fixture_caches_layers_inside_the_runs_temporary_folder(
    module_cache: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert module_cache, "GEO_CACHE_DIR unset: the user's ~/.cache/shapingba-geo would be used"
    base = tmp_path_factory.getbasetemp().resolve()
    assert base in Path(module_cache).resolve().parents
    assert os.environ["GEO_CACHE_DIR"] != module_cache  # and each test still has its own
