"""The crossover of scripts/bench_db.py: where the database starts to be faster."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from bench_db import crossover


def test_crossover_is_the_smallest_n_from_which_the_database_stays_faster():
    rows = [(1000, 1.0, 0.5), (100, 1.0, 2.0), (10_000, 5.0, 2.0), (10, 0.1, 0.05)]
    assert crossover(rows) == 1000  # faster at 10 too, but not at 100


def test_no_crossover_when_the_database_is_slower_at_the_largest_n():
    assert crossover([(10, 1.0, 0.5), (100, 1.0, 1.0)]) is None
    assert crossover([]) is None
