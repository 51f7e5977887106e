"""Thumbnails without a browser: the order the pages are opened in."""

from __future__ import annotations

from geo.maps.thumbnails import loading_order


def test_the_largest_pages_are_opened_first_so_no_tab_finishes_alone(tmp_path):
    sizes = {"fig1.html": 5, "fig2.html": 700, "fig3.html": 40, "fig4.html": 5, "overview": 90}
    for name, size in sizes.items():
        (tmp_path / name).write_text("x" * size, encoding="utf-8")
    pages = [tmp_path / name for name in sizes]
    gone = tmp_path / "gone.html"
    order = [p.name for p in loading_order([gone, *pages])]
    assert order == ["fig2.html", "overview", "fig3.html", "fig1.html", "fig4.html", "gone.html"]
