"""Place names of the ledger: one canonical name per place, whatever the spelling.

Spelling variants are folded by :func:`geo.data.names.normalize_name` (the gazetteer's
key); synonyms are data, never code. A gazetteer place's synonyms are its aliases
in ``layers/gazetteer.csv``. The documents also name areas that are layer features
but no gazetteer place (a university ring, the Science City's Shapingba part, a
project site); their synonyms are the ``aliases`` property of the feature whose
``name_zh`` is the canonical name (for derived layers, a rule parameter in
``layers/catalog.yaml``). :func:`place_resolver` resolves both; an alias that names
a gazetteer place other than its feature's (:func:`alias_collisions`) would give a
name two authorities and is a data error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from geo.data.names import normalize_name

__all__ = [
    "ZONE_PREFIXES",
    "alias_collisions",
    "area_names",
    "feature_names",
    "gazetteer_resolver",
    "layer_records",
    "normalise_place",
    "place_resolver",
    "zone_for",
]

#: A zone written ``科学城X`` (科学城黄金湾·智谷, 科学城国际物流城) puts the place in
#: the Science City's Shapingba part; X itself is a point, not an area.
ZONE_PREFIXES: dict[str, str] = {"科学城": "西部(重庆)科学城沙坪坝片区"}


def normalise_place(name: str, lookup: Callable[[str], str] | None = None) -> str:
    """Return the one canonical name of a place, whatever spelling the documents use.

    Parameters
    ----------
    name
        A place as written (``"科学城黄家湾·智谷"``, ``"环政法-川外创新生态圈"``).
    lookup
        Maps a name or alias to its canonical name and raises ``KeyError`` when
        unknown; normally :func:`place_resolver` (gazetteer places and the areas
        of the layer features). Without it only the layout is folded.

    Returns
    -------
    str
        The canonical name; the normalised input (:func:`geo.data.names.normalize_name`)
        when nothing knows it.
    """
    if lookup is not None:
        try:
            return lookup(name)
        except KeyError:
            pass
    return normalize_name(name)


def gazetteer_resolver(gazetteer: Any) -> Callable[[str], str]:
    """Return a ``lookup`` for :func:`normalise_place` that knows the gazetteer only.

    Parameters
    ----------
    gazetteer
        The loaded gazetteer.

    Returns
    -------
    callable
        Maps a name or alias to the place's ``name_zh``; see :func:`place_resolver`,
        which also knows the areas of the layer features.
    """
    return place_resolver(gazetteer)


def place_resolver(
    gazetteer: Any | None = None, features: Iterable[Mapping[str, Any]] = ()
) -> Callable[[str], str]:
    """Return a ``lookup`` for :func:`normalise_place`: gazetteer places, then areas.

    The resolver matches names and aliases exactly, after normalisation, and
    raises a plain ``KeyError`` on a miss: a place missing from the gazetteer is
    an expected case here (the ledger names many), so no fuzzy suggestions are
    computed for it; those are for error messages
    (:meth:`geo.data.gazetteer.Gazetteer.lookup`).

    Parameters
    ----------
    gazetteer
        The loaded gazetteer.
    features
        Layer feature records (and records of areas that have no feature, such
        as a derived layer's ``attrs["not_derivable"]``); those with ``aliases``
        name areas (:func:`area_names`).

    Returns
    -------
    callable
        Maps a name or alias to the gazetteer place's ``name_zh``, else to the
        canonical name of the area it names.
    """
    areas = area_names(features, gazetteer)

    def resolve(name: str) -> str:
        place = gazetteer.get(name) if gazetteer is not None else None
        if place is not None:
            return str(place.name_zh)
        return areas[normalize_name(name)]

    return resolve


def layer_records(layers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the names of the layers' places for :func:`place_resolver`.

    Every feature record (geometry left out), then the areas a derived layer has
    no shape for (``attrs["not_derivable"]``): a ring that cannot be drawn is
    still a place with names.

    Parameters
    ----------
    layers
        Loaded layers by catalog id.

    Returns
    -------
    list of dict
        The records, in the order of ``layers``.
    """
    recs: list[dict[str, Any]] = []
    for gdf in layers.values():
        recs += gdf.drop(columns="geometry", errors="ignore").to_dict("records")
    for gdf in layers.values():
        recs += list(gdf.attrs.get("not_derivable") or [])
    return recs


def _declarations(
    features: Iterable[Mapping[str, Any]], gazetteer: Any | None
) -> Iterator[tuple[str, str, list[str]]]:
    """Yield ``(id, canonical name, names)`` of every record that carries aliases.

    The canonical name is the gazetteer's ``name_zh`` when the record's name is a
    gazetteer place, else the record's ``name_zh`` in Unicode NFKC form.
    """
    for rec in features:
        names = feature_names(rec)
        if len(names) < 2 or not rec.get("name_zh"):
            continue
        place = gazetteer.get(names[0]) if gazetteer is not None else None
        canon = str(place.name_zh) if place is not None else unicodedata.normalize("NFKC", names[0])
        yield str(rec.get("id") or names[0]), canon, names


def area_names(
    features: Iterable[Mapping[str, Any]], gazetteer: Any | None = None
) -> dict[str, str]:
    """Return the canonical area name of every name the features' aliases declare.

    A feature with ``aliases`` says that its ``name_zh`` is the canonical name of
    each alias (and of itself); a feature without says nothing (its name folds to
    itself). The canonical name is the gazetteer's ``name_zh`` when the feature's
    name is a gazetteer place, else the feature's ``name_zh`` in Unicode NFKC form
    (half-width brackets). Where two features declare the same name, the first
    wins; :func:`alias_collisions` reports it.

    Parameters
    ----------
    features
        Feature records with ``name_zh`` and optional ``aliases`` (``|``-separated).
    gazetteer
        Gives the canonical name of a feature that is a gazetteer place.

    Returns
    -------
    dict of str to str
        Canonical name by normalised name (:func:`geo.data.names.normalize_name`).
    """
    out: dict[str, str] = {}
    for _, canon, names in _declarations(features, gazetteer):
        for name in names:
            out.setdefault(normalize_name(name), canon)
    return out


def alias_collisions(
    features: Iterable[Mapping[str, Any]], gazetteer: Any | None = None
) -> list[str]:
    """Return every feature name that gives one name two authorities.

    A name of a feature with ``aliases`` collides when it names a gazetteer place
    other than the one the feature's ``name_zh`` names (none, for an area that
    is no gazetteer place), or when another feature declares it for another
    canonical name.

    Parameters
    ----------
    features
        Feature records with ``id``, ``name_zh`` and optional ``aliases``.
    gazetteer
        The gazetteer the names must not contradict.

    Returns
    -------
    list of str
        One sentence per collision; empty when every name has one authority.
    """
    out: list[str] = []
    declared: dict[str, tuple[str, str]] = {}
    for fid, canon, names in _declarations(features, gazetteer):
        for name in names[1:]:
            place = gazetteer.get(name) if gazetteer is not None else None
            if place is not None and place.name_zh != canon:
                out.append(
                    f"{fid}: alias {name!r} is the gazetteer's {place.name_zh!r}, not {canon!r}"
                )
        for name in names:
            first = declared.setdefault(normalize_name(name), (fid, canon))
            if normalize_name(first[1]) != normalize_name(canon):
                out.append(f"{fid}: {name!r} is also a name of {first[0]} ({first[1]!r})")
    return out


def feature_names(rec: Mapping[str, Any]) -> list[str]:
    """Return a record's own names: ``name_zh`` and its ``aliases`` (``|``-separated).

    Parameters
    ----------
    rec
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
    zone
        The ledger's ``zone`` cell.
    zone_by_key
        Zones by canonical name.
    lookup
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
