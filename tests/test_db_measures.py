"""The measures run as PostGIS SQL give what the in-memory measures give."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from geo import _data, measure
from geo.db import store
from geo.db.measures import PostGISMeasures
from geo.measure.queries import indexed
from geo.project import Project

LAYERS = Path(_data.layers_dir())


@pytest.fixture(scope="module")
def layers():
    project = Project(LAYERS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ids = ["cities", "rings", "belts", "screens", "projects", "campuses", "rd_platforms"]
        return {k: indexed(v) for k, v in project.layers(ids).items()}


def _close(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-6, atol=1e-6)


def test_overlaps_in_sql_equal_those_in_memory(postgis_db, layers):
    store.init(postgis_db)
    sql = PostGISMeasures(postgis_db)
    for x, y in [("rings", "cities"), ("screens", "cities"), ("rings", "rings")]:
        mem = measure.overlaps(layers[x], layers[y]).sort_values(["a", "b"])
        got = sql.overlaps(layers[x], layers[y]).sort_values(["a", "b"])
        assert len(mem) > 0
        assert list(zip(got["a"], got["b"], strict=True)) == list(
            zip(mem["a"], mem["b"], strict=True)
        ), (x, y)
        for col in ("overlap_m2", "share_of_a", "share_of_b"):
            _close(got[col], mem[col])


def _same_neighbours(got, mem) -> None:
    """Same (a, rank) distances; the same B features but where two lie at one distance."""
    key = ["a", "rank"]
    got, mem = (
        got.sort_values(key).reset_index(drop=True),
        mem.sort_values(key).reset_index(drop=True),
    )
    assert list(zip(got["a"], got["rank"], strict=True)) == list(
        zip(mem["a"], mem["rank"], strict=True)
    )
    _close(got["dist_m"], mem["dist_m"])
    for a, g in mem.groupby("a"):
        d = g["dist_m"].round(6)
        tied = set(d[d.duplicated(keep=False)]) | {d.max()}  # a tie may be cut at k
        plain = g[~d.isin(tied)]
        other = got[got["a"] == a]
        assert set(plain["b"]) <= set(other["b"]), a


def test_nearest_k_nearest_and_within_in_sql_equal_those_in_memory(postgis_db, layers):
    store.init(postgis_db)
    sql = PostGISMeasures(postgis_db)
    for x, y in [("projects", "campuses"), ("rd_platforms", "rings"), ("campuses", "campuses")]:
        alone = x == y
        a, b = layers[x], layers[y]
        mem, got = measure.nearest(a, b, exclude_self=alone), sql.nearest(a, b, exclude_self=alone)
        _close(got["dist_m"], mem["dist_m"])
        clear = measure.k_nearest(a, b, 2, exclude_self=alone).groupby("a")["dist_m"]
        untied = (clear.max() - clear.min() > 1e-6).reindex(mem.index, fill_value=True)
        assert untied.sum() > 0
        assert list(got["b"][untied]) == list(mem["b"][untied]), (x, y)
        _same_neighbours(
            sql.k_nearest(a, b, 3, exclude_self=alone),
            measure.k_nearest(a, b, 3, exclude_self=alone),
        )
        mem = measure.within_distance(a, b, 2000, exclude_self=alone).sort_values(["a", "b"])
        got = sql.within_distance(a, b, 2000, exclude_self=alone).sort_values(["a", "b"])
        assert len(mem) > 0
        assert list(zip(got["a"], got["b"], strict=True)) == list(
            zip(mem["a"], mem["b"], strict=True)
        ), (x, y)
        _close(got["dist_m"], mem["dist_m"])


def test_zones_in_sql_equal_those_in_memory(postgis_db, layers):
    store.init(postgis_db)
    sql = PostGISMeasures(postgis_db)
    zones = {k: layers[k] for k in ("cities", "belts", "screens", "rings")}
    for x in ("projects", "rd_platforms", "rings"):
        key = ["layer", "feature", "zone"]
        mem = measure.zones_for(layers[x], zones).sort_values(key)
        got = sql.zones_for(layers[x], zones).sort_values(key)
        assert len(mem) > 0
        assert list(map(tuple, got[key].to_numpy())) == list(map(tuple, mem[key].to_numpy()))
        _close(got["share"], mem["share"])
        assert list(got["on_boundary"]) == list(mem["on_boundary"])
