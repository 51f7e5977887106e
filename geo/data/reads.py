"""What a build unit reads: layers, catalog fields and gazetteer places, noted while it runs.

A unit is handed its layers in a :class:`Recording` mapping, which notes every id
looked up (or all of them, when the unit iterates); the catalog in a copy that notes
each field of each entry read (``catalog:<id>.<field>``); the gazetteer in a copy that
notes each place looked up (``place:<name>``; ``place:*`` when the unit iterates).
:func:`read_digests` turns those reads into the digests a build key is made of
(:mod:`geo.site.cache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from geo.data.catalog import Catalog, LayerSpec
from geo.data.digests import ABSENT, key_of
from geo.data.gazetteer import Gazetteer, Place

if TYPE_CHECKING:  # the digests of files and keys are wanted without loading geopandas
    pass

__all__ = [
    "CATALOG_READ",
    "PLACE_READ",
    "_SPEC_FIELDS",
    "Reads",
    "Recording",
    "_ReadGazetteer",
    "_ReadSpec",
    "_read_spec",
    "_value_digest",
    "read_digests",
    "reads_of",
]

T = TypeVar("T")


# --------------------------------------------------------------------------- recording
class Recording(Mapping[str, Any]):
    """A read-only mapping that notes which keys were looked up.

    ``layers[id]``, ``id in layers`` and ``layers.get(id)`` note that id; iterating,
    ``len`` or ``dict(layers)`` note every id, as the result then depends on all.

    Parameters
    ----------
    data
        The layers by id.
    """

    def __init__(self, data: Mapping[str, Any], owner: Reads | None = None) -> None:
        self._data = data
        self.seen: set[str] = set()
        #: The :class:`Reads` this mapping belongs to, if any.
        self.owner = owner

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.seen.add(key)
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self.seen.update(self._data)
        self.seen.add("*")  # the set of ids itself was read
        return iter(self._data)

    def __len__(self) -> int:
        self.seen.update(self._data)
        self.seen.add("*")
        return len(self._data)


#: Prefix of a catalog read: ``catalog:<layer id>.<field>``.
CATALOG_READ = "catalog:"


#: Prefix of a gazetteer read: ``place:<name>`` (``place:*``: the whole gazetteer).
PLACE_READ = "place:"


_SPEC_FIELDS = frozenset(f.name for f in fields(LayerSpec)) - {"id"}


class _ReadSpec(LayerSpec):
    """A catalog entry that notes each of its fields read (its id excepted)."""

    def __getattribute__(self, name: str) -> Any:
        if name in _SPEC_FIELDS:
            lid = object.__getattribute__(self, "id")
            object.__getattribute__(self, "_noted").add(f"{CATALOG_READ}{lid}.{name}")
        return object.__getattribute__(self, name)


def _read_spec(spec: LayerSpec, noted: set[str]) -> LayerSpec:
    copy = object.__new__(_ReadSpec)
    for name, value in vars(spec).items():
        object.__setattr__(copy, name, value)
    object.__setattr__(copy, "_noted", noted)
    return copy


class _ReadGazetteer(Gazetteer):
    """The same gazetteer, noting each place looked up (all of them when iterated)."""

    def __init__(self, base: Gazetteer, noted: set[str]) -> None:
        self.__dict__.update(vars(base))
        self._noted = noted

    def _note(self, name: object) -> None:
        self._noted.add(f"{PLACE_READ}{name}")

    def __contains__(self, name: object) -> bool:
        self._note(name)
        return super().__contains__(name)

    def get(self, name: str) -> Place | None:
        self._note(name)
        return super().get(name)

    def __iter__(self) -> Iterator[Place]:
        self._note("*")
        return super().__iter__()

    def __len__(self) -> int:
        self._note("*")
        return super().__len__()

    @property
    def places(self) -> tuple[Place, ...]:
        self._note("*")
        return tuple(self._places)

    def names(self) -> list[str]:
        self._note("*")
        return super().names()

    def to_frame(self) -> Any:
        self._note("*")
        return super().to_frame()

    def validate(self, zones: Any = None) -> list[str]:
        self._note("*")
        return super().validate(zones)

    def within_problems(self, zones: Any) -> list[str]:
        self._note("*")
        return super().within_problems(zones)


class Reads:
    """What one unit reads: layers, catalog entry fields and gazetteer places.

    Hand the unit :attr:`layers`, :attr:`catalog` and :attr:`gazetteer` instead of
    the originals; :meth:`seen` then lists what it read.

    Parameters
    ----------
    layers
        The layers by id.
    catalog
        The catalog.
    gazetteer
        The gazetteer.
    shared
        Results several units of one build share, by key, each with what computing
        it read (see :meth:`shared`); ``None``: nothing is shared.
    """

    def __init__(
        self,
        layers: Mapping[str, Any],
        catalog: Catalog,
        gazetteer: Gazetteer | None = None,
        shared: dict[str, tuple[Any, set[str]]] | None = None,
    ) -> None:
        self._noted: set[str] = set()
        self._base = (layers, catalog, gazetteer)
        self._shared = shared
        self.layers = Recording(layers, owner=self)
        entries = {lid: _read_spec(spec, self._noted) for lid, spec in catalog.layers.items()}
        self.catalog = Catalog(entries, catalog.folder)
        self.gazetteer = None if gazetteer is None else _ReadGazetteer(gazetteer, self._noted)

    def shared(self, key: str, compute: Callable[[Reads], T]) -> T:
        """Return ``compute(reads)``, computed once per build for ``key``.

        The first unit to ask computes it on reads of its own, so that what is noted
        is what the computation read, not what the unit read before; every unit that
        asks (the first included) notes those reads as its own. The result is shared
        as it is: callers must not change it. Without a shared store it is computed
        each time on these reads.

        Parameters
        ----------
        key
            Names the result and everything it depends on besides the data.
        compute
            Computes it from the layers, catalog and gazetteer of the reads given.

        Returns
        -------
        object
        """
        if self._shared is None:
            return compute(self)
        if key not in self._shared:
            own = Reads(*self._base)
            self._shared[key] = (compute(own), own.seen())
        result, seen = self._shared[key]
        self.note(seen)
        return result

    def seen(self) -> set[str]:
        """Return the layer ids, ``catalog:<id>.<field>`` and ``place:<name>`` read."""
        return self.layers.seen | self._noted

    def note(self, reads: Iterable[str]) -> None:
        """Note what another unit read to compute a result this one shares.

        Parameters
        ----------
        reads
            As :meth:`seen` returned it there.
        """
        for read in reads:
            prefixed = read.startswith((CATALOG_READ, PLACE_READ))
            (self._noted if prefixed else self.layers.seen).add(read)


def reads_of(layers: Mapping[str, Any]) -> Reads | None:
    """Return the :class:`Reads` whose layers ``layers`` are, or ``None``.

    Parameters
    ----------
    layers
        Layers as a unit was handed them.

    Returns
    -------
    Reads or None
    """
    return layers.owner if isinstance(layers, Recording) else None


def _value_digest(value: Any) -> str:
    return key_of(repr(value))


def read_digests(
    reads: Iterable[str],
    digests: Mapping[str, str],
    catalog: Catalog | None = None,
    gazetteer: Gazetteer | None = None,
    gazetteer_digest: str = "",
) -> dict[str, str]:
    """Return the hash of each thing a unit read (see :class:`Reads`).

    A layer id stands for its content hash (``*``: the set of ids present); a catalog
    read for that field's value; a place for the place it resolves to (``place:*``:
    ``gazetteer_digest``, the whole file). What is not there is :data:`ABSENT`.

    Parameters
    ----------
    reads
        What a unit read.
    digests
        Hash of every loaded layer.
    catalog
        The catalog now.
    gazetteer
        The gazetteer now.
    gazetteer_digest
        Hash of the gazetteer file.

    Returns
    -------
    dict of str to str
    """
    out = {}
    for read in sorted(set(reads)):
        if read.startswith(CATALOG_READ):
            lid, _, name = read[len(CATALOG_READ) :].rpartition(".")
            if catalog is not None and lid in catalog.layers:
                out[read] = _value_digest(getattr(catalog[lid], name))
            else:
                out[read] = ABSENT
        elif read == f"{PLACE_READ}*":
            out[read] = gazetteer_digest
        elif read.startswith(PLACE_READ):
            place = None if gazetteer is None else gazetteer.get(read[len(PLACE_READ) :])
            out[read] = ABSENT if place is None else _value_digest(place)
        elif read == "*":
            out[read] = key_of(sorted(digests))
        else:
            out[read] = digests.get(read, ABSENT)
    return out
