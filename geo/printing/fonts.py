"""The Chinese font of the print figures: the first an office has, found by matplotlib.

Figures carry Chinese names first, so a font with CJK glyphs is required; without
one matplotlib would draw empty boxes. The font is looked up in matplotlib's font
manager (:data:`CJK_FAMILIES`): Noto Sans CJK or Source Han Sans (Debian's
``fonts-noto-cjk`` puts it where fontconfig and matplotlib find it), then the fonts
that come with Windows (Microsoft YaHei, SimHei, SimSun) and macOS (PingFang). It is
embedded in PDFs as TrueType (``pdf.fonttype 42``), so the text stays text:
searchable, copyable and printed with the same glyphs everywhere.

Embedding a subset of the CJK font means parsing the whole font (65 000 glyphs)
for every PDF. So the first print on a machine keeps a *print face* of it, once:
the same glyphs, metrics and layout tables for the characters of GB 2312, Latin
and CJK punctuation (:func:`print_charset`), in the user's cache folder. The
prints draw with it first (a PDF embeds a subset of a 14 000-glyph face, several
times faster) and fall back, glyph by glyph, to the full font for any other
character, so nothing is drawn as a box.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.errors import GeoError, MissingDependencyError

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "CJK_FAMILIES",
    "FONT_PACKAGE",
    "PRINT_SUFFIX",
    "WINDOWS_FONT_FIX",
    "cjk_family",
    "ensure_print_faces",
    "plain_glyphs",
    "print_charset",
    "rc_params",
]

#: Families tried in order: Noto / Source Han (Simplified Chinese first), then the
#: fonts of Windows (Microsoft YaHei, SimHei, SimSun) and macOS (PingFang).
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "SimHei",
    "SimSun",
    "PingFang SC",
    "PingFang HK",
    "PingFang TC",
    "WenQuanYi Zen Hei",
)
#: What to install when no family is found: Debian's package.
FONT_PACKAGE = "fonts-noto-cjk"
#: What to install on Windows when no family is found.
WINDOWS_FONT_FIX = (
    "Windows: add the optional feature 'Chinese (Simplified) Supplemental Fonts' "
    "(Settings > Apps > Optional features), which brings SimHei and SimSun, "
    "or install Noto Sans SC"
)
#: Appended to a family's name to name its print face.
PRINT_SUFFIX = " Print"
#: Bump when :func:`print_charset` or the way a print face is cut changes.
PRINT_FACE_VERSION = 1
#: Unicode ranges a print face keeps besides GB 2312: Latin, punctuation, letterlike
#: symbols, arrows, mathematical operators, CJK punctuation, full-width forms.
PRINT_RANGES: tuple[tuple[int, int], ...] = (
    (0x20, 0x250),
    (0x2000, 0x2070),
    (0x2100, 0x2200),
    (0x2200, 0x2300),
    (0x25A0, 0x2600),
    (0x3000, 0x3040),
    (0xFF00, 0xFFF0),
)


def cjk_family(families: tuple[str, ...] = CJK_FAMILIES) -> str:
    """Return the first installed font family of ``families``.

    Parameters
    ----------
    families
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
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in families:
        if family in installed:
            return family
    raise MissingDependencyError(
        "no Chinese (CJK) font found for the print figures (looked for "
        f"{', '.join(families)}); fix: install one: Debian/Ubuntu: "
        f"`sudo apt install {FONT_PACKAGE}`; {WINDOWS_FONT_FIX}; then delete "
        f"matplotlib's font cache ({matplotlib.get_cachedir()}) so it is seen"
    )


def print_charset() -> frozenset[str]:
    """Return the characters a print face keeps: GB 2312 and :data:`PRINT_RANGES`.

    Returns
    -------
    frozenset of str
    """
    chars = {chr(c) for lo, hi in PRINT_RANGES for c in range(lo, hi)}
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.update(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shapingba-geo" / "fonts"


def _faces(family: str) -> list[Any]:
    """Return matplotlib's entries of ``family`` (one per weight, first file found)."""
    from matplotlib import font_manager

    found: dict[Any, Any] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family and entry.style == "normal":
            found.setdefault(entry.weight, entry)
    return list(found.values())


def _face_path(entry: Any) -> Path:
    """Return where the print face of a font entry is kept.

    Its name hashes the source's path, size, modification time and face, and the
    versions of the cutting rules and of fontTools.
    """
    from fontTools import version as fonttools_version

    st = Path(entry.fname).stat()
    ident = f"{entry.fname}|{st.st_size}|{st.st_mtime_ns}|{getattr(entry, 'index', 0)}"
    ident += f"|{entry.name}|{entry.weight}|{PRINT_FACE_VERSION}|{fonttools_version}"
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:20]
    return _cache_folder() / f"print-face-{digest}.otf"


def _cut_face(entry: Any, family: str) -> bytes:
    """Return the print face of one weight: the charset's glyphs, renamed ``<family> Print``."""
    import io

    from fontTools import subset

    options = subset.Options(glyph_names=True, recommended_glyphs=True, notdef_outline=True)
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.font_number = getattr(entry, "index", 0)
    font = subset.load_font(entry.fname, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in print_charset()))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):  # family: the print face is a family of its own
            names.setName(
                family + PRINT_SUFFIX,
                1 if record.nameID == 1 else 16,
                record.platformID,
                record.platEncID,
                record.langID,
            )
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def ensure_print_faces(family: str) -> list[Path]:
    """Cut the print face of each weight of ``family`` if it is not kept yet.

    Parameters
    ----------
    family
        The CJK family (:func:`cjk_family`).

    Returns
    -------
    list of Path
        The print faces; empty where they cannot be written (the prints then
        embed from the full font, only slower).
    """
    from geo._io import atomic_write_bytes

    paths = []
    for entry in _faces(family):
        path = _face_path(entry)
        if not path.is_file():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(path, _cut_face(entry, family))
            except (OSError, GeoError, ValueError, KeyError, TypeError):
                continue  # not writable, or a font fontTools cannot cut: the full font serves
        paths.append(path)
    _registered.cache_clear()
    return paths


@lru_cache(maxsize=4)
def _registered(family: str) -> str | None:
    """Register the kept print faces of ``family`` with matplotlib; return their family."""
    from matplotlib import font_manager

    kept = [p for p in (_face_path(e) for e in _faces(family)) if p.is_file()]
    if not kept:
        return None
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in kept:
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))
    return family + PRINT_SUFFIX


def rc_params(family: str) -> dict[RcKeyType, Any]:
    """Return the matplotlib settings of every print figure.

    Parameters
    ----------
    family
        The CJK font family (see :func:`cjk_family`).

    Returns
    -------
    dict
        For ``matplotlib.rc_context``: the font (its print face first when one is
        kept, see :func:`ensure_print_faces`), TrueType embedding in PDF and
        PostScript, and ``svg.fonttype none`` so SVG text stays text too.
    """
    face = _registered(family)
    return {
        "font.family": [*([face] if face else []), family, "DejaVu Sans"],
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
    texts
    """
    for text in texts:
        text.set_parse_math(False)
        text.set_usetex(False)
        if hasattr(text, "set_fontfeatures"):
            text.set_language("zh-Hans")
            text.set_fontfeatures(["-liga", "-clig"])
