"""A print does not depend on how fast the machine is: labels move a fixed number of steps."""

from __future__ import annotations

import itertools

import pytest

from geo.printing.fonts import cjk_family, rc_params
from geo.printing.labels import LabelSpec, place_labels


def _positions() -> list[tuple[str, tuple[float, float]]]:
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with rc_context(rc_params(cjk_family())):
        fig = FigureCanvasAgg(Figure(figsize=(4, 4))).figure
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        specs = [LabelSpec(f"标签{i}", 40 + i, 50 + (i % 3), i, 9, "k") for i in range(8)]
        kept = place_labels(ax, specs)
        return [(t.get_text(), tuple(round(v, 6) for v in t.get_position())) for t in kept]


def test_labels_land_in_the_same_place_on_a_slow_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _positions()
    import adjustText

    clock = itertools.count(step=10.0)  # every reading of the clock: ten seconds later
    monkeypatch.setattr(adjustText, "timer", lambda: next(clock))
    slow = _positions()
    assert slow == fast
    assert len(fast) > 1
