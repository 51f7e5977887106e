r"""Thumbnails of the figure pages: each page photographed in headless Chromium.

One browser serves every page; up to :data:`PARALLEL` pages load at once, the largest
first (:func:`loading_order`: a large page takes longest to load, and started last it
would finish alone while the other tab stands idle). A page is
photographed when its map is ready, not after a fixed wait: the page has fired
``load`` (every tile too when the network is allowed), the map's SVG layer exists,
fonts are ready, no zoom animation runs and two frames have been painted.

Given a site built by ``make maps`` and Chromium (not run with the examples):

>>> from geo.maps.thumbnails import photograph
>>> shots = photograph([Path("site/offline/fig1.html")])     # doctest: +SKIP
>>> shots["fig1"].startswith(b"\x89PNG")                      # doctest: +SKIP
True
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo.maps.browser import CHROMIUM, CHROMIUM_ARGS, is_local

__all__ = ["PARALLEL", "SETTLED", "SIZE", "figure_pages", "loading_order", "photograph"]

#: Pages loading at once (the machine's two cores are the limit).
PARALLEL = 2
#: Viewport of a thumbnail in CSS pixels.
SIZE: tuple[int, int] = (1200, 900)
#: Resolves once the page's fonts are ready, Leaflet has finished any zoom animation
#: and two frames have been painted: the map as a reader first sees it.
SETTLED = """async () => {
    await document.fonts.ready;
    for (let i = 0; i < 100 && document.querySelector('.leaflet-zoom-anim'); i++) {
        await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""
#: Longest wait for a page's map, in milliseconds: generous, as the pages load while the
#: prints draw in other processes on a busy machine (a timeout stops the build).
TIMEOUT_MS = 60_000


def figure_pages(site: Path) -> list[Path]:
    """Return the figure pages of a site folder: fig1 ... fig8, then the overview.

    Parameters
    ----------
    site
        A folder written by :func:`geo.maps.site.write_site`.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("fig10.html", "overview.html", "fig2.html", "fig1.html"):
    ...         (Path(tmp) / name).touch()
    ...     pages = figure_pages(Path(tmp))
    >>> [p.name for p in pages]
    ['fig1.html', 'fig2.html', 'fig10.html', 'overview.html']
    """
    figs = sorted(site.glob("fig*.html"), key=lambda p: (len(p.stem), p.stem))
    overview = site / "overview.html"
    return figs + ([overview] if overview.exists() else [])


def loading_order(pages: Sequence[Path]) -> list[Path]:
    """Return the pages in the order they are opened: the largest file first.

    Loading a page (its scripts, its markers) takes longer the larger it is; the
    largest opened first, the tabs finish close together. Pages of equal size keep
    their order; a missing page sorts last.

    Parameters
    ----------
    pages
        HTML files.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sizes = {"fig1.html": 10, "fig2.html": 30, "fig3.html": 10, "overview.html": 70}
    ...     for name, size in sizes.items():
    ...         _ = (Path(tmp) / name).write_text("x" * size)
    ...     order = loading_order([Path(tmp) / name for name in sizes])
    >>> [p.name for p in order]
    ['overview.html', 'fig2.html', 'fig1.html', 'fig3.html']
    """

    def size(page: Path) -> int:
        try:
            return page.stat().st_size
        except OSError:
            return -1

    return sorted(pages, key=size, reverse=True)


def photograph(
    pages: Sequence[Path], network: bool = False, size: tuple[int, int] = SIZE
) -> dict[str, bytes]:
    """Photograph each page once its map is ready; return PNG bytes by page stem.

    Parameters
    ----------
    pages
        HTML files to open (``file://``).
    network
        Let the pages fetch from the network (tiles); by default every request
        that is not a local file is aborted, so the pictures are reproducible.
    size
        Viewport width and height in CSS pixels.

    Returns
    -------
    dict of str to bytes
        Page stem (``fig1``) to its PNG.
    """
    if not pages:
        return {}
    return asyncio.run(_photograph_all(list(pages), network, size))


async def _photograph_all(
    pages: list[Path], network: bool, size: tuple[int, int]
) -> dict[str, bytes]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            context = await browser.new_context(viewport={"width": size[0], "height": size[1]})
            if not network:
                await context.route("**/*", _local_only)
            gate = asyncio.Semaphore(PARALLEL)
            order = loading_order(pages)
            shots = await asyncio.gather(*(_shoot(context, p, network, gate) for p in order))
        finally:
            await browser.close()
    taken = {p.stem: png for p, png in zip(order, shots, strict=True)}
    return {p.stem: taken[p.stem] for p in pages}


async def _local_only(route: Any) -> None:
    """Let ``file://`` requests through and abort every other one."""
    if is_local(route.request.url):
        await route.continue_()
    else:
        await route.abort()


async def _shoot(context: Any, html: Path, network: bool, gate: asyncio.Semaphore) -> bytes:
    """Open one page in its own tab, wait until its map is ready, take the picture."""
    async with gate:
        page = await context.new_page()
        try:
            wait = "networkidle" if network else "load"
            await page.goto(html.resolve().as_uri(), wait_until=wait, timeout=TIMEOUT_MS)
            await page.wait_for_selector(".leaflet-overlay-pane svg", timeout=TIMEOUT_MS)
            await page.evaluate(SETTLED)
            return await page.screenshot()
        finally:
            await page.close()
