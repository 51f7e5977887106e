"""An unknown figure id or number is a GeoError (and a KeyError) listing the figures."""

from __future__ import annotations

import pytest

from geo.cli import main
from geo.errors import GeoError
from geo.figures.specs import figure_by_id
from geo.project import Project

#: The figures of the plan (Figures 1-8) and the overview, as the message lists them.
KNOWN = "fig1, fig2, fig3, fig4, fig5, fig6, fig7, fig8, overview"


@pytest.mark.parametrize("fig_id", ["fig9", "99", "0", "overveiw"])
def test_an_unknown_figure_names_the_figures_there_are(fig_id, tmp_path, capsys):
    project = Project()
    expected = f"unknown figure {fig_id!r}: use one of {KNOWN}"
    with pytest.raises(GeoError) as caught:
        figure_by_id(fig_id, project.catalog)
    assert isinstance(caught.value, KeyError)  # callers catching KeyError still do
    assert str(caught.value) == expected  # a sentence, not KeyError's quoted repr
    with pytest.raises(KeyError, match="use one of fig1"):
        project.figure_layers(fig_id)
    out = str(tmp_path / "out")
    for argv in (
        ["maps", "--figure", fig_id, "--out", out, "--basemap", "none"],
        ["print", "--figures", fig_id, "--out", out],
    ):
        capsys.readouterr()
        assert main(argv) == 2
        assert capsys.readouterr().err == f"geo {argv[0]}: error: {expected}\n"
