"""One shape for every extension point: a named, ordered registry.

Claim checks (:data:`geo.claims.registry.CHECK_REGISTRY`), command modules
(:data:`geo.cli.COMMANDS`), site build steps (:data:`geo.site.state.SITE_STEPS`),
export formats (:data:`geo.gis.exchange.EXPORT_FORMATS`) and figures
(:data:`geo.figures.specs.FIGURES`) are each a :class:`Registry`, kept next to what
it registers. Adding one is one call, or one decorator:

>>> from geo.registries import Registry
>>> colours = Registry("colour")
>>> colours.add("red", "#f00")
'#f00'
>>> @colours.register("blue")
... def blue() -> str:
...     return "#00f"
>>> colours.names()
('red', 'blue')
>>> colours["green"]                                      # doctest: +ELLIPSIS
Traceback (most recent call last):
...
geo.errors.UnknownNameError: unknown colour 'green': use one of red, blue
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Generic, TypeVar

from geo.errors import DuplicateNameError, UnknownNameError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(MutableMapping[str, T], Generic[T]):
    """Things of one kind by name, in the order they were registered.

    A mapping: ``registry[name]``, ``name in registry``, iteration over the names in
    order, ``.items()``. :meth:`add` and :meth:`register` refuse a name registered
    already; ``registry[name] = obj`` replaces one (as a dict does).

    Parameters
    ----------
    kind
        What is registered, for messages (``"export format"``).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def add(self, name: str, obj: T) -> T:
        """Register ``obj`` under a new ``name`` and return it.

        Parameters
        ----------
        name
            The name, unique in this registry.
        obj
            What is registered.

        Returns
        -------
        object
            ``obj``.

        Raises
        ------
        DuplicateNameError
            If ``name`` is registered already.
        """
        if name in self._items:
            raise DuplicateNameError(f"{self.kind} {name!r} is registered already")
        self._items[name] = obj
        return obj

    def register(self, name: str) -> Callable[[T], T]:
        """Return a decorator registering what it decorates under ``name`` (see :meth:`add`).

        Parameters
        ----------
        name
            The name, unique in this registry.

        Returns
        -------
        callable
            The decorator; it returns what it decorates unchanged.
        """

        def decorate(obj: T) -> T:
            return self.add(name, obj)

        return decorate

    def names(self) -> tuple[str, ...]:
        """Return the registered names, in order."""
        return tuple(self._items)

    @contextmanager
    def temporarily(self, name: str, obj: T) -> Iterator[T]:
        """Register ``obj`` under a new ``name`` for the ``with`` block, then remove it.

        Parameters
        ----------
        name
            The name, unique in this registry.
        obj
            What is registered.

        Yields
        ------
        object
            ``obj``.
        """
        self.add(name, obj)
        try:
            yield obj
        finally:
            self._items.pop(name, None)

    def _unknown(self, name: object) -> UnknownNameError:
        known = ", ".join(self._items) or "(none registered)"
        return UnknownNameError(f"unknown {self.kind} {name!r}: use one of {known}")

    def __getitem__(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise self._unknown(name) from None

    def __setitem__(self, name: str, obj: T) -> None:
        self._items[name] = obj

    def __delitem__(self, name: str) -> None:
        if name not in self._items:
            raise self._unknown(name)
        del self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self._items)})"
