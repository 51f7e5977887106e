"""Place names of the ledger: one canonical name per place, whatever the spelling.

Spelling variants are folded by :func:`geo.names.normalize_name` (the gazetteer's
key); synonyms of a place are its aliases in ``layers/gazetteer.csv`` and are
resolved through the gazetteer (:func:`gazetteer_resolver`). The documents also name
areas that are layer features but no gazetteer place (a university ring, the
Science City's Shapingba part); their few variants are in :data:`AREA_ALIASES`,
which must never name a gazetteer place, so that no name has two authorities.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from geo.names import normalize_name

__all__ = [
    "AREA_ALIASES",
    "ZONE_PREFIXES",
    "feature_names",
    "gazetteer_resolver",
    "normalise_place",
    "zone_for",
]

#: Variants of names of areas drawn as layer features that have no gazetteer row
#: (rings, the Science City's Shapingba part, the east city, two planned sites),
#: by canonical name (the feature's ``name_zh``, brackets half-width). Sources are
#: cited in docs/claims.md.
AREA_ALIASES: dict[str, tuple[str, ...]] = {
    "环重庆师范大学创新生态圈": ("环重庆师大创新生态圈",),
    "环电子工程职业学院创新生态圈": (
        "环电子职院创新生态圈",
        "环重庆电子工程职业学院创新生态圈",
    ),
    "环西政—川外创新生态圈": (
        "环政法-川外创新生态圈",
        "环西南政法—川外",
        "环政法—川外",
        "环西政—川外",
    ),
    # 表15 row 7 is the ring's project at 黄金湾·智谷 (tagged 环大学创新生态圈项目).
    "成渝高校协同创新生态圈": ("环成渝高校协同创新生态圈", "科学城成渝高校协同创新中心"),
    "青凤高科创新中心": (
        "青凤高科产业园创新孵化中心",
        "青凤高科创新孵化中心",
        "科学城青凤高科创新中心",
    ),
    "重庆大学国际研究院二期": ("重庆大学国际联合研究院（二期）",),
    "电子科大(重庆)国家大学科技园": ("电子科技大学（重庆）国家大学科技园",),
    "重庆大学城科技产业园": ("重庆·大学城科技产业园", "大学城科技产业园"),
    # 专栏9 / §2.4 name the geology park that 表15 row 46 builds.
    "沙坪坝区地质科技园": ("地质科技公园", "地质科技园"),
    # 002 L316 writes the Science City's Shapingba part without 区 (layer science_city).
    "西部(重庆)科学城沙坪坝片区": ("西部（重庆）科学城沙坪坝片", "西部（重庆）科学城（沙坪坝片）"),
    # 表15 rows 41, 43 建设地点: the district east of the Zhongliang ridge, which
    # §2.4 一（一） calls 东部人字母城 (layer cities, city-east).
    "东部人字母城": ("沙坪坝区东部城区",),
}

#: A zone written ``科学城X`` (科学城黄金湾·智谷, 科学城国际物流城) puts the place in
#: the Science City's Shapingba part; X itself is a point, not an area.
ZONE_PREFIXES: dict[str, str] = {"科学城": "西部(重庆)科学城沙坪坝片区"}

_AREA_BY_KEY: dict[str, str] = {
    normalize_name(name): canon
    for canon, variants in AREA_ALIASES.items()
    for name in (canon, *variants)
}


def normalise_place(name: str, lookup: Callable[[str], str] | None = None) -> str:
    """Return the one canonical name of a place, whatever spelling the documents use.

    Parameters
    ----------
    name : str
        A place as written (``"科学城黄家湾·智谷"``, ``"环政法-川外创新生态圈"``).
    lookup : callable, optional
        Maps a name or alias to its canonical name and raises ``KeyError`` when
        unknown; normally :func:`gazetteer_resolver`. Without it only the area
        names of :data:`AREA_ALIASES` are resolved.

    Returns
    -------
    str
        The canonical name; the normalised input (:func:`geo.names.normalize_name`)
        when nothing knows it.
    """
    key = normalize_name(name)
    area = _AREA_BY_KEY.get(key)
    if area is not None:
        return area
    if lookup is not None:
        try:
            return lookup(name)
        except KeyError:
            pass
    return key


def gazetteer_resolver(gazetteer: Any) -> Callable[[str], str]:
    """Return a ``lookup`` for :func:`normalise_place` backed by a gazetteer.

    The resolver matches names and aliases exactly, after the gazetteer's own
    normalisation, and raises a plain ``KeyError`` on a miss: a place missing from
    the gazetteer is an expected case here (the ledger names many), so no fuzzy
    suggestions are computed for it; those are for error messages
    (:meth:`geo.gazetteer.Gazetteer.lookup`).

    Parameters
    ----------
    gazetteer : geo.gazetteer.Gazetteer
        The loaded gazetteer.

    Returns
    -------
    callable
        Maps a name or alias to the place's ``name_zh``.
    """

    def resolve(name: str) -> str:
        place = gazetteer.get(name)
        if place is None:
            raise KeyError(name)
        return str(place.name_zh)

    return resolve


def feature_names(rec: Mapping[str, Any]) -> list[str]:
    """Return a record's own names: ``name_zh`` and its ``aliases`` (``|``-separated).

    Parameters
    ----------
    rec : mapping
        A feature or gazetteer record.

    Returns
    -------
    list of str
        The non-empty names.
    """
    names = [str(rec.get("name_zh") or "")]
    aliases = rec.get("aliases")
    if isinstance(aliases, str):
        names += [a for a in aliases.split("|") if a.strip()]
    return [n for n in names if n]


def zone_for(
    zone: str, zone_by_key: Mapping[str, Any], lookup: Callable[[str], str] | None
) -> tuple[str, Any] | None:
    """Return the zone that a document's zone text names, if any.

    The zone's own name or alias (全区 → 沙坪坝区 through the gazetteer), else a
    zone prefix (科学城X → the Science City's Shapingba part).

    Parameters
    ----------
    zone : str
        The ledger's ``zone`` cell.
    zone_by_key : mapping
        Zones by canonical name.
    lookup : callable, optional
        Gazetteer name resolver.

    Returns
    -------
    tuple of (str, object) or None
        The canonical name and the zone's entry; None when no zone matches.
    """
    key = normalise_place(zone, lookup)
    if key in zone_by_key:
        return key, zone_by_key[key]
    folded = normalize_name(zone)
    for prefix, target in ZONE_PREFIXES.items():
        if folded.startswith(normalize_name(prefix)) and folded != normalize_name(prefix):
            key = normalise_place(target, lookup)
            if key in zone_by_key:
                return key, zone_by_key[key]
    return None
