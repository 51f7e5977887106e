"""Recognising text that was decoded with the wrong encoding (mojibake such as ``É³Æº°Ó``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo.errors import Problem

__all__ = [
    "garbled_reading",
    "garbled_text_problems",
]


# --------------------------------------------------------------------------- garbled text
def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def _mostly_paired(raw: bytes) -> bool:
    """Whether high bytes come in pairs, as in GBK Chinese (both bytes 0x81-0xFE)."""
    pairs = odd = i = 0
    while i < len(raw):
        if raw[i] < 0x80:
            i += 1
            continue
        if i + 1 < len(raw) and raw[i + 1] >= 0x80:
            pairs += 1
        else:
            odd += 1
        i += 2
    return pairs > odd


def garbled_reading(text: str) -> tuple[str, str] | None:
    """Recognise text decoded with the wrong encoding and say what it should read.

    A GBK or UTF-8 file read as Latin-1 (what GDAL assumes for a shapefile without
    ``.cpg``) turns 沙坪坝 into ``É³Æº°Ó``: characters of the Latin-1 range whose
    bytes decode cleanly as Chinese in GBK or UTF-8. Genuine accented Latin text
    (``Café``, ``Zürich``) does not decode so, and genuine Chinese text is not in
    the Latin-1 range.

    Parameters
    ----------
    text
        A value as read.

    Returns
    -------
    tuple of (str, str) or None
        The encoding the bytes were really in (``utf-8``, ``gbk``, or ``?`` for
        undecodable bytes shown as U+FFFD) and the text as it should read; None for
        text that looks right.
    """
    if "\ufffd" in text:
        return "?", text
    if text.isascii():
        return None
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    for enc in ("utf-8", "gbk"):
        try:
            reading = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if _has_cjk(reading) and (enc == "utf-8" or _mostly_paired(raw)):
            return enc, reading
    return None


def garbled_text_problems(doc: Mapping[str, Any], source: str, fix: str) -> list[Problem]:
    """Find property names and text values that were decoded with the wrong encoding.

    Parameters
    ----------
    doc
        A GeoJSON FeatureCollection mapping.
    source
        Name of the input, for the messages.
    fix
        What to do, with ``{enc}``/``{ENC}`` standing for the likely encoding.

    Returns
    -------
    list of Problem
        One per feature with garbled text (its first garbled value).
    """
    out = []
    for i, feat in enumerate(doc.get("features") or []):
        props = feat.get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict):
            continue
        texts = [*map(str, props), *(v for v in props.values() if isinstance(v, str))]
        found = next(((t, r) for t in texts if (r := garbled_reading(t))), None)
        if found is None:
            continue
        text, (enc, reading) = found
        raw_id = props.get("id")
        fid = raw_id if isinstance(raw_id, str) else f"#{i}"
        enc = "gbk" if enc == "?" else enc
        what = (
            f"text {text[:30]!r} holds undecodable characters"
            if reading == text
            else f"text {text[:30]!r} is {enc.upper()} read with the wrong encoding "
            f"(it reads {reading[:20]!r})"
        )
        out.append(Problem(source, fid, what, fix.format(enc=enc, ENC=enc.upper())))
    return out
