"""Headless Chromium settings shared by the screenshot script and the browser tests.

Debian's Chromium (``apt-get install chromium``) is driven through playwright; the
flags stop it from reaching out to the network on its own, as this toolkit's maps
must work on an intranet with no internet.
"""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch(playwright: Any) -> Any:
    """Launch Debian's Chromium headless through a running playwright instance.

    Parameters
    ----------
    playwright
        From ``sync_playwright().start()`` or its context manager.

    Returns
    -------
    playwright.sync_api.Browser
    """
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))


def block_network(context: Any) -> None:
    """Abort every request that is not for a local ``file://`` page or asset.

    Parameters
    ----------
    context
        The browser context to restrict.
    """
    context.route(
        "**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort()
    )


def is_local(url: str) -> bool:
    """Return whether a request is for a local file (the only kind a blocked page may load).

    Parameters
    ----------
    url
        The request's address.

    Returns
    -------
    bool
    """
    return url.startswith("file://")
