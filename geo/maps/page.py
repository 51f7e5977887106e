"""What every map page carries besides its map: language, title, viewport, skip link.

A rendered folium page says nothing of its language, has no ``<title>``, forbids
zooming the page (``user-scalable=no``) and puts every SVG path of the map in the
keyboard's way: Leaflet's interactive paths are focusable and unlabelled, so the
legend toggle lay 66 Tab presses deep. :func:`finish_page` gives the page
``lang="zh-CN"``, its title, a zoomable viewport and a skip link to the page's
main control as the first thing Tab reaches, and takes the map's paths out of
the Tab order and out of the accessibility tree (what they show is in the
legend, the key panel and the not-located list, as text).
"""

from __future__ import annotations

import html
import re

__all__ = ["QUIET_PATHS_JS", "SKIP_CSS", "VIEWPORT", "finish_page"]

#: The viewport of every page: fits a phone, and the reader may zoom.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
#: The skip link: out of sight until it has the keyboard's focus.
SKIP_CSS = (
    ".geo-skip{position:absolute;left:-10000px;top:8px;z-index:3000;background:#fff;"
    "color:#0645ad;padding:6px 10px;border:2px solid #0645ad;border-radius:4px;"
    'font:14px system-ui,"Noto Sans CJK SC",sans-serif}'
    ".geo-skip:focus{left:8px}"
)
#: Takes the map's SVG shapes (drawn now or later) out of the Tab order and the
#: accessibility tree; a click still opens their popups.
QUIET_PATHS_JS = """(function () {
  var names = [
    [".leaflet-control-layers-toggle", "图层 Layers"],
    [".leaflet-control-minimap-toggle-display", "小地图 Minimap"]
  ];
  function mark(s, attrs) {
    Object.keys(attrs).forEach(function (k) { s.setAttribute(k, attrs[k]); });
  }
  function quiet(el) {
    if (el.nodeType !== 1) { return; }
    var shapes = el.matches("svg, svg *") ? [el] : [];
    el.querySelectorAll("svg, svg *").forEach(function (s) { shapes.push(s); });
    shapes.forEach(function (s) {
      mark(s, {"tabindex": "-1", "focusable": "false", "aria-hidden": "true"});
    });
    // the minimap repeats the map: out of the Tab order, named, its toggle labelled
    var root = el.parentNode || el;
    root.querySelectorAll(".leaflet-control-minimap").forEach(function (s) {
      mark(s, {"tabindex": "-1", "role": "region", "aria-label": "小地图 Minimap"});
    });
    names.forEach(function (n) {
      root.querySelectorAll(n[0]).forEach(function (s) {
        if (!s.getAttribute("aria-label")) { mark(s, {"aria-label": n[1]}); }
      });
    });
  }
  quiet(document.body);
  // the map is the page's main content: a landmark, named
  var main = document.querySelector(".folium-map");
  if (main && !main.getAttribute("role")) {
    mark(main, {"role": "main", "aria-label": document.title});
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (c) { c.addedNodes.forEach(quiet); });
  }).observe(document.body, {childList: true, subtree: true});
})();"""
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.DOTALL)


def finish_page(page: str, title: str, skip_to: str, skip_label: str) -> str:
    r"""Return a rendered map page with its language, title, viewport and skip link.

    Parameters
    ----------
    page
        A complete HTML page (``folium.Map.get_root().render()``).
    title
        The page's title (plain text; escaped here).
    skip_to
        The ``id`` of the element the skip link moves the focus to.
    skip_label
        The skip link's text (plain text; escaped here).

    Returns
    -------
    str

    Examples
    --------
    >>> page = finish_page(
    ...     "<!DOCTYPE html>\n<html>\n<head></head>\n<body>x</body>\n</html>",
    ...     "图 <1>", "geo-legend-toggle", "跳到图例 Skip to the legend",
    ... )
    >>> page.count('lang="zh-CN"'), "<title>图 &lt;1&gt;</title>" in page
    (1, True)
    >>> 'class="geo-skip" href="#geo-legend-toggle"' in page
    True
    """
    page = re.sub(r"<html(?=[\s>])(?![^>]*\blang=)", '<html lang="zh-CN"', page, count=1)
    page = _FOLIUM_VIEWPORT.sub("", page)
    head = f"{VIEWPORT}<title>{html.escape(title)}</title><style>{SKIP_CSS}</style>"
    page = page.replace("<head>", f"<head>{head}", 1)
    link = (
        f'<a class="geo-skip" href="#{html.escape(skip_to)}" '
        f"onclick=\"var t=document.getElementById('{html.escape(skip_to)}');"
        f'if(t){{t.focus();return false;}}">{html.escape(skip_label)}</a>'
    )
    page = re.sub(r"<body([^>]*)>", lambda m: f"<body{m[1]}>{link}", page, count=1)
    before, tag, after = page.rpartition("</body>")
    if not tag:
        before, tag, after = page.rpartition("</html>")
    return f"{before}<script>{QUIET_PATHS_JS}</script>{tag}{after}"
