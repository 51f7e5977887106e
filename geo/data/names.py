"""The one comparison key of a place name, shared by the gazetteer and the claims.

The plan and the reports write one place many ways: table cells broken with
``<br>``, full-width brackets, em dash or hyphen, several middle dots, stray spaces.
:func:`normalize_name` folds all of these (and nothing else: synonyms are aliases,
kept in ``layers/gazetteer.csv``).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_name"]

# Dash variants (em dash, en dash, figure dash, minus, hyphen, full-width hyphen ...)
# and middle-dot variants the documents mix freely: 科学大道—梁滩河谷 / 环政法-川外,
# 黄金湾·智谷 / 黄金湾•智谷. Both families collapse to one canonical character.
_DASHES = "\u2014\u2013\u2012\u2015\u2212\u2010\u2011\uff0d\ufe63\ufe58-"
_DOTS = "\u00b7\u2022\u2027\u30fb\uff65\u2219\u22c5\u0387"

_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_DASH_RE = re.compile(f"[{re.escape(_DASHES)}]+")
_DOT_RE = re.compile(f"[{re.escape(_DOTS)}]")
_SPACE_RE = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Return the comparison key of a place name.

    Removes table line breaks (``<br>``), applies Unicode NFKC (full-width
    letters, digits and punctuation become their half-width forms), removes all
    whitespace, maps every run of dash variants to ``-`` and every middle-dot
    variant to ``·``, and lower-cases Latin letters.

    Parameters
    ----------
    name
        A place name as written in a document, e.g. ``"环西政—川外"``,
        ``"黄金湾 • 智谷"`` or ``"大学客<br>(全球校友)<br>孵化器"``.

    Returns
    -------
    str
        The normalised key, e.g. ``"环西政-川外"``, ``"黄金湾·智谷"`` or
        ``"大学客(全球校友)孵化器"``.
    """
    text = _BREAK_RE.sub("", str(name))
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE_RE.sub("", text)
    text = _DASH_RE.sub("-", text)
    text = _DOT_RE.sub("\u00b7", text)
    return text.casefold()
