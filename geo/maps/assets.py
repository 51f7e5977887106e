"""Maps without a CDN: Leaflet and every plugin from local files, or inlined.

folium links its JavaScript and CSS from CDNs. The ``folium-offline`` package ships
the same files as strings, keyed by the CDN address folium uses. This module either
swaps each ``<script src=...>`` and stylesheet ``<link>`` of a rendered map for the
inlined text (:func:`inline_assets`: one self-contained file to e-mail), or for a
relative link to a copy in a shared ``assets/`` folder (:func:`localise_assets`: the
site's pages stay small). Either way the page opens on an intranet with no internet;
only tile requests remain external, and with ``--basemap none`` there are none.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache

from geo.errors import MissingDependencyError, OfflineAssetError

_SCRIPT = re.compile(r'<script\s+src="(?P<url>https?://[^"]+)"\s*>\s*</script>')
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>https?://[^"]+)"\s*/?>')
# Stylesheet links may also put href first.
_LINK_HREF_FIRST = re.compile(r'<link\s+href="(?P<url>https?://[^"]+)"\s+rel="stylesheet"\s*/?>')


@lru_cache(maxsize=1)
def asset_table() -> Mapping[str, str]:
    """Return folium-offline's table of CDN address to file content.

    Returns
    -------
    Mapping of str to str

    Raises
    ------
    MissingDependencyError
        If ``folium-offline`` is not installed.
    """
    try:
        from offlinefolium.elements import _res
    except ImportError as exc:  # the table is what makes --offline possible
        raise MissingDependencyError(
            "offline maps need folium-offline: pip install 'folium-offline==0.20.0.2' "
            "(the version pinned in pyproject.toml)"
        ) from exc
    return dict(_res)


def _lookup(url: str, table: Mapping[str, str]) -> str:
    try:
        return table[url]
    except KeyError:
        raise OfflineAssetError(
            f"no offline copy of {url}: the offline asset table (folium-offline) lacks it; "
            "drop the plugin that needs it or add the file to the table"
        ) from None


def _safe_in(tag: str, text: str) -> str:
    """Keep inlined text from closing its own element early (``</script`` inside JS)."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_assets(page: str, table: Mapping[str, str] | None = None) -> str:
    """Replace every CDN ``<script src>`` and stylesheet ``<link>`` by inlined text.

    Parameters
    ----------
    page
        A rendered folium page (``m.get_root().render()``).
    table
        CDN address to content; default :func:`asset_table`.

    Returns
    -------
    str
        The page with no external script or stylesheet reference.

    Raises
    ------
    OfflineAssetError
        If a linked asset has no offline copy.
    """
    table = asset_table() if table is None else table

    def script(m: re.Match[str]) -> str:
        return f"<script>{_safe_in('script', _lookup(m['url'], table))}</script>"

    def style(m: re.Match[str]) -> str:
        return f"<style>{_safe_in('style', _lookup(m['url'], table))}</style>"

    page = _SCRIPT.sub(script, page)
    page = _LINK.sub(style, page)
    return _LINK_HREF_FIRST.sub(style, page)


def asset_name(url: str) -> str:
    """Return the local file name of a CDN asset.

    A short hash of the address and its base name, so two plugins' ``leaflet.css``
    never collide.

    Parameters
    ----------
    url
        The CDN address.

    Returns
    -------
    str
        E.g. ``1a2b3c4d-leaflet.js``.
    """
    base = re.sub(r"[^A-Za-z0-9._-]", "_", url.rstrip("/").rsplit("/", 1)[-1]) or "asset"
    return f"{hashlib.sha256(url.encode()).hexdigest()[:8]}-{base}"


def localise_assets(
    page: str, prefix: str = "assets/", table: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """Point every CDN ``<script src>`` and stylesheet ``<link>`` at a local copy.

    Parameters
    ----------
    page
        A rendered folium page.
    prefix
        Relative folder the page loads assets from (``assets/``; ``../assets/`` for a
        page one folder down).
    table
        CDN address to content; default :func:`asset_table`.

    Returns
    -------
    tuple of (str, dict of str to str)
        The page, and the files it needs: name in the assets folder to content.

    Raises
    ------
    OfflineAssetError
        If a linked asset has no offline copy.
    """
    table = asset_table() if table is None else table
    files: dict[str, str] = {}

    def local(m: re.Match[str]) -> str:
        name = asset_name(m["url"])
        files[name] = _lookup(m["url"], table)
        return m[0].replace(m["url"], prefix + name)

    for pattern in (_SCRIPT, _LINK, _LINK_HREF_FIRST):
        page = pattern.sub(local, page)
    return page, files


def external_references(page: str) -> list[str]:
    """Return the external addresses a page would fetch when it loads.

    Looks at ``src`` of scripts, images and frames, ``href`` of ``<link>``, CSS
    ``url(...)`` and ``@import``, and tile URL templates passed to ``L.tileLayer``.
    Strings that are never fetched are not reported: hyperlinks a reader may click
    (Leaflet's own attribution link), licence comments, and the SVG namespace
    ``http://www.w3.org/2000/svg``.

    Parameters
    ----------
    page
        HTML text.

    Returns
    -------
    list of str
    """
    patterns = (
        r'<(?:script|img|iframe|embed|source|audio|video)\b[^>]*?\ssrc\s*=\s*["\'](https?://[^"\']+)',
        r'<link\b[^>]*?\shref\s*=\s*["\'](https?://[^"\']+)',
        r'url\(\s*["\']?(https?://[^)"\']+)',
        r'@import\s+["\'](https?://[^"\']+)',
        r'tileLayer\(\s*"(https?://[^"]+)"',
    )
    found: list[str] = []
    for pat in patterns:
        found += re.findall(pat, page)
    return found
