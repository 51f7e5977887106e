"""The Chinese font of the print figures: Noto Sans CJK, found by matplotlib.

Figures carry Chinese names first, so a font with CJK glyphs is required; without
one matplotlib would draw empty boxes. The font is looked up in matplotlib's font
manager (Debian's ``fonts-noto-cjk`` puts it where fontconfig and matplotlib find
it) and embedded in PDFs as TrueType (``pdf.fonttype 42``), so the text stays text:
searchable, copyable and printed with the same glyphs everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geo._errors import MissingDependencyError

__all__ = ["CJK_FAMILIES", "FONT_PACKAGE", "cjk_family", "plain_glyphs", "rc_params"]

#: Families tried in order: Simplified Chinese first.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
)
#: What to install when no family is found.
FONT_PACKAGE = "fonts-noto-cjk"


def cjk_family(families: tuple[str, ...] = CJK_FAMILIES) -> str:
    """Return the first installed font family of ``families``.

    Parameters
    ----------
    families : tuple of str
        Family names in order of preference.

    Returns
    -------
    str
        The family name, as matplotlib knows it.

    Raises
    ------
    MissingDependencyError
        If none is installed; the message names the Debian package to install.
    """
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in families:
        if family in installed:
            return family
    raise MissingDependencyError(
        "no Chinese (CJK) font found for the print figures (looked for "
        f"{', '.join(families)}); install Debian's {FONT_PACKAGE} package "
        f"(sudo apt-get install {FONT_PACKAGE}, or `make chromium`), then delete "
        "matplotlib's font cache (~/.cache/matplotlib) so it is seen"
    )


def rc_params(family: str) -> dict[str, Any]:
    """Return the matplotlib settings of every print figure.

    Parameters
    ----------
    family : str
        The CJK font family (see :func:`cjk_family`).

    Returns
    -------
    dict
        For ``matplotlib.rc_context``: the font, TrueType embedding in PDF and
        PostScript, and ``svg.fonttype none`` so SVG text stays text too.
    """
    return {
        "font.family": [family, "DejaVu Sans"],
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        "axes.unicode_minus": False,
    }


def plain_glyphs(texts: Iterable[Any]) -> None:
    """Make text artists draw their strings literally, as Simplified Chinese.

    Names come from data: ``$`` must not start matplotlib's math mode and a backslash
    must stay a backslash, so math parsing and TeX are turned off. Shaped with no
    language, a run such as ``见 002`` takes locale-specific glyph forms and ``fi``
    a ligature: glyphs with no character of their own, which would be embedded as a
    second copy of the font in every PDF and extracted from it as the wrong text.
    Matplotlib releases without text shaping keep their default shaping.

    Parameters
    ----------
    texts : iterable of matplotlib.text.Text
    """
    for text in texts:
        text.set_parse_math(False)
        text.set_usetex(False)
        if hasattr(text, "set_fontfeatures"):
            text.set_language("zh-Hans")
            text.set_fontfeatures(["-liga", "-clig"])
