"""Make a PDF merged from several matplotlib PDFs small: one font subset, lean paths.

Every figure PDF embeds its own subset of the CJK font; merged, the reviewer's PDF
carried two dozen subsets of the same two faces. :func:`share_fonts` cuts one
subset per face holding every character the pages use and points every page at
it. matplotlib writes a Type 0 font whose character codes are the Unicode code
points, so the pages' text stays as it is. :func:`lean_paths` simplifies the
polylines of the content streams within 0.2 pt (0.07 mm on paper) and writes their
coordinates to a hundredth of a point.
Computation only: both work on a :class:`pypdf.PdfWriter` in memory.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from geo.printing.fonts import PRINT_SUFFIX

__all__ = ["PATH_TOLERANCE_PT", "lean_content", "lean_paths", "share_fonts", "truetype_files"]

#: A path operator line of a matplotlib content stream: numbers, then m, l, c or re.
_PATH_LINE = re.compile(rb"^((?:-?\d+(?:\.\d+)? )+)(m|l|c|re)$")
#: Paper a simplified line may stray from the drawn one (points; 0.07 mm).
PATH_TOLERANCE_PT = 0.2


def _number(value: float) -> bytes:
    text = (b"%.2f" % value).rstrip(b"0").rstrip(b".")
    return b"0" if text in (b"", b"-0") else text


def _polyline(points: list[list[float]]) -> list[bytes]:
    """Return ``m`` and ``l`` lines of a polyline simplified within the tolerance."""
    import shapely

    xy: Any = points
    if len(points) > 2:
        line = shapely.simplify(shapely.linestrings(points), PATH_TOLERANCE_PT)
        xy = shapely.get_coordinates(line)
    return [
        _number(x) + b" " + _number(y) + (b" m" if i == 0 else b" l") for i, (x, y) in enumerate(xy)
    ]


def lean_content(data: bytes) -> bytes:
    r"""Return a matplotlib content stream with lean paths.

    Each run of ``m`` then ``l`` operators (an open or closed polyline) is
    simplified within :data:`PATH_TOLERANCE_PT` and every path coordinate is
    written to a hundredth of a point; all else is kept as it is.

    Parameters
    ----------
    data
        The decoded content stream.

    Returns
    -------
    bytes

    Examples
    --------
    >>> lean_content(b"q\n0 0 m\n1.00001 0.001 l\n2 0 l\n3.3333333 4 l\nS\nQ")
    b'q\n0 0 m\n2 0 l\n3.33 4 l\nS\nQ'
    """
    out: list[bytes] = []
    run: list[list[float]] = []
    for line in data.split(b"\n"):
        match = _PATH_LINE.match(line)
        op = match.group(2) if match else b""
        if op == b"l" and run:
            run.append([float(v) for v in match.group(1).split()])  # type: ignore[union-attr]
            continue
        if run:
            out += _polyline(run)
            run = []
        if op == b"m":
            run = [[float(v) for v in match.group(1).split()]]  # type: ignore[union-attr]
        elif match:
            out.append(b" ".join(_number(float(v)) for v in match.group(1).split()) + b" " + op)
        else:
            out.append(line)
    if run:
        out += _polyline(run)
    return b"\n".join(out)


def lean_paths(writer: Any) -> None:
    """Rewrite every page's content stream with :func:`lean_content`.

    Parameters
    ----------
    writer
        A ``pypdf.PdfWriter``; its pages' content streams are replaced.
    """
    from pypdf.generic import DecodedStreamObject, NameObject

    for page in writer.pages:
        contents = page.get_contents()
        if contents is None:
            continue
        stream = DecodedStreamObject()
        stream.set_data(lean_content(contents.get_data()))
        page[NameObject("/Contents")] = writer._add_object(stream.flate_encode(level=9))


_HEX = rb"<([0-9a-fA-F]+)>"
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(\[[^\]]*\]|" + _HEX + rb")")
_CHAR = re.compile(_HEX + rb"\s*" + _HEX)


def _unicode_map(top: Any) -> dict[int, str]:
    """Return code to text of a font's ``ToUnicode`` CMap (the forms matplotlib writes)."""
    text = top["/ToUnicode"].get_object().get_data() if "/ToUnicode" in top else b""
    out: dict[int, str] = {}

    def decode(h: bytes) -> str:
        return bytes.fromhex(h.decode()).decode("utf-16-be", "replace")

    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.DOTALL):
        for lo, hi, target, single in _RANGE.findall(block):
            first, last = int(lo, 16), int(hi, 16)
            if target.startswith(b"["):
                for i, h in enumerate(re.findall(_HEX, target)):
                    out[first + i] = decode(h)
            else:
                base = int(single, 16)
                out.update({c: chr(base + c - first) for c in range(first, last + 1)})
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        out.update({int(c, 16): decode(u) for c, u in _CHAR.findall(block)})
    return out


def _codes(top: Any) -> set[int] | None:
    """Return the code points a font draws, or None unless every code is its code point."""
    mapping = _unicode_map(top)
    if not mapping or any(text != chr(code) for code, text in mapping.items()):
        return None
    return set(mapping)


def _font_file(postscript: str) -> tuple[str, int] | None:
    """Return the smallest installed font file (and face) of that PostScript name.

    The print face (:func:`geo.printing.fonts.ensure_print_faces`) is the smallest
    where one is kept; subsetting it is quicker than subsetting the full face.
    """
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    wanted = postscript.lower()
    found: list[tuple[int, str, int]] = []
    for entry in font_manager.fontManager.ttflist:
        family = entry.name.removesuffix(PRINT_SUFFIX).replace(" ", "").lower()
        if not wanted.startswith(family):
            continue
        number = int(getattr(entry, "index", 0))
        with TTFont(entry.fname, fontNumber=number, lazy=True) as font:
            if str(font["name"].getDebugName(6)).lower() == wanted:
                found.append((Path(entry.fname).stat().st_size, entry.fname, number))
    return min(found)[1:] if found else None


def _subset(path: str, number: int, codes: set[int]) -> Any:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    font = TTFont(path, fontNumber=number, recalcTimestamp=False)  # same bytes each run
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=sorted(codes))
    cutter.subset(font)
    return _truetype(font)


def _truetype(font: Any) -> Any:
    """Return ``font`` with TrueType outlines, its glyph order unchanged.

    A PDF's ``FontFile2`` must hold TrueType (``glyf``) outlines; matplotlib puts
    the CJK face's CFF outlines there, which readers such as poppler warn about
    ("Mismatch between font type and embedded font file"). Cubic curves become
    quadratic ones within a thousandth of an em.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    if "CFF " not in font:
        return font
    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(outlines)
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
        "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
        "maxComponentElements", "maxComponentDepth",
    ):  # fmt: skip
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names
    font.sfntVersion = "\x00\x01\x00\x00"
    return font


def _as_truetype(data: bytes) -> bytes:
    """Return an embedded font file with TrueType outlines (unchanged if it has them)."""
    from fontTools.ttLib import TTFont

    if not data.startswith(b"OTTO"):
        return data
    buf = io.BytesIO()
    _truetype(TTFont(io.BytesIO(data), recalcTimestamp=False)).save(buf)
    return buf.getvalue()


def truetype_files(writer: Any) -> int:
    """Give every ``FontFile2`` of the pages TrueType outlines (see :func:`_truetype`).

    Parameters
    ----------
    writer
        A ``pypdf.PdfWriter``.

    Returns
    -------
    int
        How many font files were converted.
    """
    from pypdf.generic import DecodedStreamObject, NameObject, NumberObject

    done: set[int] = set()
    for page in writer.pages:
        for ref in page.get("/Resources", {}).get("/Font", {}).values():
            top = ref.get_object()
            for cid in top.get("/DescendantFonts", []):
                descriptor = cid.get_object().get("/FontDescriptor")
                ff = descriptor.get_object().raw_get("/FontFile2") if descriptor else None
                if ff is None or getattr(ff, "idnum", None) in done:
                    continue
                data = ff.get_object().get_data()
                if not data.startswith(b"OTTO"):
                    continue
                converted = _as_truetype(data)
                stream = DecodedStreamObject()
                stream.set_data(converted)
                stream[NameObject("/Length1")] = NumberObject(len(converted))
                new = writer._add_object(stream.flate_encode(level=9))
                descriptor.get_object()[NameObject("/FontFile2")] = new
                done.add(getattr(ff, "idnum", id(ff)))
    return len(done)


def _to_unicode(codes: list[int]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <ffff> endcodespacerange",
    ]
    for start in range(0, len(codes), 100):
        part = codes[start : start + 100]
        lines.append(f"{len(part)} beginbfchar")
        lines += [f"<{c:04x}> <{chr(c).encode('utf-16-be').hex()}>" for c in part]
        lines.append("endbfchar")
    lines += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    return "\n".join(lines).encode("ascii")


def _shared_font(writer: Any, model: Any, font: Any, codes: list[int]) -> Any:
    """Return a reference to one Type 0 font like ``model`` over the new subset."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        NameObject,
        NumberObject,
    )

    def stream(data: bytes, **extra: Any) -> Any:
        s = DecodedStreamObject()
        s.set_data(data)
        for key, value in extra.items():
            s[NameObject(key)] = value
        return writer._add_object(s.flate_encode(level=9))

    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    cmap, scale = font.getBestCmap(), 1000 / font["head"].unitsPerEm
    gid = {c: font.getGlyphID(cmap[c]) for c in codes if c in cmap}
    cid_to_gid = bytearray(2 * (max(codes) + 1))
    widths = ArrayObject()
    for c, g in gid.items():
        cid_to_gid[2 * c : 2 * c + 2] = g.to_bytes(2, "big")
        advance = font["hmtx"][cmap[c]][0] * scale
        widths += [NumberObject(c), ArrayObject([NumberObject(round(advance))])]
    top = model.get_object()
    cid = top["/DescendantFonts"][0].get_object()
    descriptor = cid["/FontDescriptor"].get_object().clone(writer, ignore_fields=["/FontFile2"])
    descriptor[NameObject("/FontFile2")] = stream(data, **{"/Length1": NumberObject(len(data))})
    new_cid = cid.clone(writer, ignore_fields=["/FontDescriptor", "/CIDToGIDMap", "/W"])
    new_cid[NameObject("/FontDescriptor")] = writer._add_object(descriptor)
    new_cid[NameObject("/CIDToGIDMap")] = stream(bytes(cid_to_gid))
    new_cid[NameObject("/W")] = widths
    new_top = top.clone(writer, ignore_fields=["/DescendantFonts", "/ToUnicode"])
    new_top[NameObject("/DescendantFonts")] = ArrayObject([writer._add_object(new_cid)])
    new_top[NameObject("/ToUnicode")] = stream(_to_unicode(sorted(gid)))
    return writer._add_object(new_top)


def share_fonts(writer: Any) -> int:
    """Replace the font subsets of each face by one subset shared by every page.

    Only matplotlib's Type 0 TrueType-flavoured fonts (``CIDToGIDMap``, codes
    being code points) are merged; a face not installed on this machine is left
    as it is.

    Parameters
    ----------
    writer
        A ``pypdf.PdfWriter`` holding the merged pages.

    Returns
    -------
    int
        How many font references now point to a shared subset.
    """
    from pypdf.generic import NameObject

    uses: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    codes: dict[str, set[int]] = defaultdict(set)
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        fonts = fonts.get_object() if hasattr(fonts, "get_object") else fonts
        for key, ref in fonts.items():
            top = ref.get_object()
            cids = top.get("/DescendantFonts")
            cid = cids[0].get_object() if cids else None
            drawn = _codes(top) if cid is not None and "/CIDToGIDMap" in cid else None
            if drawn is None:
                continue
            face = str(top["/BaseFont"]).lstrip("/").split("+", 1)[-1]
            uses[face].append((fonts, key))
            codes[face] |= drawn
    merged = 0
    for face, where in uses.items():
        found = _font_file(face)
        if found is None or len(where) < 2:
            continue
        font = _subset(*found, codes[face])
        shared = _shared_font(writer, where[0][0][where[0][1]], font, sorted(codes[face]))
        for fonts, key in where:
            fonts[NameObject(key)] = shared
        merged += len(where)
    return merged
