"""Numbers and units as the plan and the news reports write them.

The documents state sizes in many forms: ``28.5 万平方米``, ``13000 m <sup>2</sup>``,
``85.27 亩``, ``1.97 平方公里``, ``25 公里``, ``32 亿元``, ``10000-20000 m2``, with
qualifiers such as ``约`` (about), ``超过`` / ``以上`` (at least) and ``不少于``.
This module turns one such phrase into a :class:`Quantity` in SI units (m², m)
or in yuan for money, keeping the qualifier, so that a ledger row can say both
what the document wrote and what it means.

Conversion factors (exact by definition):

* 亩 (mu) = 2000/3 m² (1 公顷 = 15 亩);
* 公顷 (hectare) = 10 000 m²; 平方公里 (km²) = 1 000 000 m²;
* 公里 / 千米 (km) = 1000 m;
* 万 = 1e4, 亿 = 1e8 (亿元 = 1e8 yuan).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from geo.errors import ClaimParseError

__all__ = [
    "AREA_UNITS",
    "LENGTH_UNITS",
    "MU_M2",
    "QUALIFIERS",
    "SWEEP_PATTERN",
    "UNITS",
    "Quantity",
    "canonical_unit",
    "iter_quantity_mentions",
    "parse_number",
    "parse_quantity",
]

#: Square metres in one 亩 (mu): 1 hectare = 15 mu, so 10 000 / 15.
MU_M2: float = 2000.0 / 3.0

#: Qualifier vocabulary of the ledger.
QUALIFIERS: tuple[str, ...] = ("exact", "approx", "at_least", "at_most", "range")

#: The one table of units: canonical name -> (SI unit, factor to SI). The claims
#: read every spelling through it (:func:`canonical_unit`), and :mod:`geo.measure`
#: takes its area units (:data:`AREA_UNITS`) and distance units from it.
UNITS: dict[str, tuple[str, float]] = {
    "m2": ("m2", 1.0),
    "ha": ("m2", 1e4),
    "mu": ("m2", MU_M2),
    "km2": ("m2", 1e6),
    "m": ("m", 1.0),
    "km": ("m", 1e3),
    "yuan": ("CNY", 1.0),
    "count": ("count", 1.0),
}

#: Square metres per area unit (``m2``, ``ha``, ``mu``, ``km2``), from :data:`UNITS`.
AREA_UNITS: dict[str, float] = {name: f for name, (si, f) in UNITS.items() if si == "m2"}

# Unit spellings -> canonical name. Order matters for matching: longer spellings
# first, so 平方公里 is not read as 平方 + 公里.
_SPELLINGS: dict[str, str] = {
    "平方公里": "km2",
    "平方千米": "km2",
    "km2": "km2",
    "km²": "km2",
    "平方米": "m2",
    "m2": "m2",
    "m²": "m2",
    "㎡": "m2",
    # "建筑体量70000平方" (Table 15 row 9) drops the 米; read as square metres.
    "平方": "m2",
    "公顷": "ha",
    "亩": "mu",
    "公里": "km",
    "千米": "km",
    "km": "km",
    "米": "m",
    "亿元": "yuan",
    "万元": "yuan",
    "元": "yuan",
    "亿": "yuan",
    "个": "count",
    "家": "count",
    "所": "count",
    "只": "count",
    "支": "count",
    "项": "count",
}

#: Metres per length spelling (``m``, ``km``, ``米``, ``公里``, ``千米``), from
#: :data:`UNITS` and the spellings above.
LENGTH_UNITS: dict[str, float] = {
    spelling: UNITS[canon][1]
    for spelling, canon in {**{u: u for u in UNITS}, **_SPELLINGS}.items()
    if UNITS[canon][0] == "m"
}

_MULTIPLIERS: dict[str, float] = {"万": 1e4, "亿": 1e8}

# Qualifier words before and after the number.
_BEFORE: dict[str, str] = {
    "约为": "approx",
    "约": "approx",
    "近": "approx",
    "超过": "at_least",
    "超": "at_least",
    "不少于": "at_least",
    "不低于": "at_least",
    "达到": "exact",
    "最高达": "at_most",
    "不超过": "at_most",
    "≥": "at_least",
    "≤": "at_most",
}
_AFTER: dict[str, str] = {
    "以上": "at_least",
    "余": "at_least",
    "多": "at_least",
    "以下": "at_most",
    "以内": "at_most",
    "左右": "approx",
}

_NUM = r"\d+(?:\.\d+)?"
_RANGE_SEP = r"\s*(?:-|—|–|~|～|至|到)\s*"


def _normalise(text: str) -> str:
    """Fold the documents' spellings into one form before parsing."""
    out = text.strip()
    # HTML superscripts from the PDF conversion: "m <sup>2</sup>" -> "m2".
    out = re.sub(r"m\s*<sup>\s*2\s*</sup>", "m2", out)
    out = out.replace("（", "(").replace("）", ")").replace("，", ",")
    # Full-width digits and dot, as some tables use them.
    return out.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))


def parse_number(text: str) -> float:
    """Parse a plain decimal number, allowing thousands separators.

    Parameters
    ----------
    text
        For example ``"28.5"``, ``"202,000"`` or ``"１３０００"``.

    Returns
    -------
    float
        The number.

    Raises
    ------
    ClaimParseError
        If ``text`` is not one decimal number (``".0.30"`` is refused, not guessed).
    """
    t = _normalise(text).replace(",", "")
    if not re.fullmatch(_NUM, t):
        raise ClaimParseError(f"not a number: {text!r}")
    return float(t)


def canonical_unit(unit: str) -> tuple[str, str, float]:
    """Resolve a unit as written to ``(canonical, si_unit, factor)``.

    Parameters
    ----------
    unit
        The unit as written, with an optional 万/亿 multiplier prefix, for example
        ``"万平方米"``, ``"m <sup>2</sup>"``, ``"亩"``, ``"亿元"``.

    Returns
    -------
    tuple of (str, str, float)
        Canonical unit name (``m2``, ``mu``, ``ha``, ``km2``, ``km``, ``m``,
        ``yuan``, ``count``), SI unit (``m2``, ``m``, ``CNY``, ``count``) and the
        factor that turns one written unit into SI.

    Raises
    ------
    ClaimParseError
        If the unit is not one the documents use.
    """
    u = _normalise(unit).replace(" ", "")
    factor = 1.0
    if u in ("亿", "亿元"):
        return ("yuan", "CNY", 1e8)
    if u == "万元":
        return ("yuan", "CNY", 1e4)
    if u and u[0] in _MULTIPLIERS and u[1:] in _SPELLINGS:
        factor = _MULTIPLIERS[u[0]]
        u = u[1:]
    if u not in _SPELLINGS:
        raise ClaimParseError(f"unknown unit: {unit!r}")
    canon = _SPELLINGS[u]
    si, f = UNITS[canon]
    return canon, si, f * factor


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity.

    Attributes
    ----------
    low, high
        Bounds in SI units (m², m, CNY, count). For ``exact`` and ``approx`` they are
        equal; ``at_least`` has ``high = inf``; ``at_most`` has ``low = 0``;
        ``range`` has both from the text.
    si_unit
        ``m2``, ``m``, ``CNY`` or ``count``.
    qualifier
        One of :data:`QUALIFIERS`.
    value_written
        The number(s) as written (``"10000-20000"``).
    unit_written
        The unit as written (``"m <sup>2</sup>"``).
    """

    low: float
    high: float
    si_unit: str
    qualifier: str
    value_written: str
    unit_written: str

    @property
    def value(self) -> float:
        """Representative value: the bound that was written (midpoint for ranges)."""
        if self.qualifier == "range":
            return (self.low + self.high) / 2.0
        if self.qualifier == "at_most":
            return self.high
        return self.low


_UNIT_ALT = "|".join(re.escape(u) for u in sorted([*_SPELLINGS, "万元"], key=len, reverse=True))
_QTY_RE = re.compile(
    rf"^(?P<before>{'|'.join(map(re.escape, _BEFORE))})?\s*"
    rf"(?P<lo>{_NUM})(?:{_RANGE_SEP}(?P<hi>{_NUM}))?\s*"
    rf"(?P<after1>余|多)?\s*"
    rf"(?P<unit>[万亿]?\s*(?:{_UNIT_ALT}))\s*"
    rf"(?P<after2>{'|'.join(map(re.escape, _AFTER))})?$"
)


def parse_quantity(text: str) -> Quantity:
    """Parse one quantity phrase as the documents write it.

    Parameters
    ----------
    text
        For example ``"约 8.8 万平方米"``, ``"超过 30 万平方米"``, ``"200 万平方米以上"``,
        ``"10000-20000 m <sup>2</sup>"``, ``"85.27 亩"``, ``"1.97 平方公里"``,
        ``"25 公里"``, ``"32 亿元"``, ``"32 个"``.

    Returns
    -------
    Quantity
        Bounds in SI with the qualifier.

    Raises
    ------
    ClaimParseError
        If the phrase is not one number (or range) with a known unit, if a range
        runs backwards, or if two qualifiers contradict each other.

    Examples
    --------
    >>> parse_quantity("约 78 亩").low
    52000.0
    >>> parse_quantity("超过 60 万平方米").qualifier
    'at_least'
    """
    norm = _normalise(text)
    m = _QTY_RE.match(norm)
    if m is None:
        raise ClaimParseError(f"cannot parse quantity: {text!r}")
    unit_written = m.group("unit")
    _canon, si_unit, factor = canonical_unit(unit_written)
    lo = parse_number(m.group("lo")) * factor
    hi_text = m.group("hi")
    quals = {
        q
        for q in (
            _BEFORE.get(m.group("before") or ""),
            _AFTER.get(m.group("after1") or ""),
            _AFTER.get(m.group("after2") or ""),
        )
        if q is not None
    }
    if hi_text is not None:
        hi = parse_number(hi_text) * factor
        if hi < lo:
            raise ClaimParseError(f"range runs backwards: {text!r}")
        if quals - {"approx"}:
            raise ClaimParseError(f"range with a bound qualifier: {text!r}")
        value_written = f"{m.group('lo')}-{hi_text}"
        return Quantity(lo, hi, si_unit, "range", value_written, unit_written.strip())
    if len(quals) > 1:
        raise ClaimParseError(f"contradictory qualifiers {sorted(quals)}: {text!r}")
    qualifier = quals.pop() if quals else "exact"
    high = lo
    low = lo
    if qualifier == "at_least":
        high = float("inf")
    elif qualifier == "at_most":
        low = 0.0
    return Quantity(low, high, si_unit, qualifier, m.group("lo"), unit_written.strip())


#: The sweep's pattern: every number followed by an area, length or money unit,
#: or a count of projects. :func:`iter_quantity_mentions` uses it to list every
#: size statement in a document, so that the ledger can be checked for gaps.
SWEEP_PATTERN: re.Pattern[str] = re.compile(
    rf"(?P<num>{_NUM}(?:{_RANGE_SEP}{_NUM})?)\s*(?:余|多)?\s*"
    r"(?P<unit>[万亿]?\s*(?:平方公里|平方千米|平方米|平方|m\s*<sup>\s*2\s*</sup>|m2|㎡|亩|公顷"
    r"|公里|千米|km|亿元|万元|亿|个(?:重点|重大)?项目))"
)


def iter_quantity_mentions(text: str) -> Iterator[tuple[int, str]]:
    """List every size, length, money or project-count mention in a document.

    Parameters
    ----------
    text
        A whole document.

    Yields
    ------
    tuple of (int, str)
        1-based line number and the matched text (number and unit), in order.
    """
    for lineno, line in enumerate(text.splitlines(), start=1):
        for m in SWEEP_PATTERN.finditer(line):
            yield lineno, m.group(0)
