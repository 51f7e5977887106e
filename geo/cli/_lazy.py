"""Argument choices read from a heavy module only when a command needs them.

``geo --help`` and light commands register every subcommand; a ``--basemap`` or
``--unit`` list that lives in a module importing folium or geopandas would make
every start-up pay for those imports. :class:`LazyChoices` stands in for the list
and imports the module the first time argparse checks a value or prints the
subcommand's help. Attach it with :func:`lazy_choices` after ``add_argument``:
argparse formats an argument's choices once while adding it (to check its
metavar), which would import the module at start-up.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload


class LazyChoices(Sequence[str]):
    """The names of ``module.attribute`` (any iterable of str), loaded on first use.

    Parameters
    ----------
    module
        Dotted module name, e.g. ``"geo.maps.basemaps"``.
    attribute
        The attribute holding the choices, e.g. ``"BASEMAP_NAMES"``; a mapping gives
        its keys.
    """

    def __init__(self, module: str, attribute: str) -> None:
        self._where = (module, attribute)
        self._names: tuple[str, ...] | None = None

    def _load(self) -> tuple[str, ...]:
        if self._names is None:
            module, attribute = self._where
            self._names = tuple(getattr(importlib.import_module(module), attribute))
        return self._names

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __contains__(self, value: Any) -> bool:
        return value in self._load()

    def __repr__(self) -> str:
        return f"LazyChoices({'.'.join(self._where)})"


def lazy_choices(action: argparse.Action, module: str, attribute: str) -> argparse.Action:
    """Give an added argument the choices ``module.attribute``, read on first use.

    Parameters
    ----------
    action
        What ``parser.add_argument(...)`` returned (added without ``choices``).
    module, attribute
        Where the choices live (see :class:`LazyChoices`).

    Returns
    -------
    argparse.Action
        The same action.
    """
    action.choices = LazyChoices(module, attribute)
    return action


class LazyText:
    """Text ``make()`` returns, made the first time it is shown (in a help string).

    Parameters
    ----------
    make
        Returns the text; it may import a heavy module.
    """

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make

    def __str__(self) -> str:
        return self._make()


def lazy_help(action: argparse.Action, text: str, **values: Callable[[], str]) -> argparse.Action:
    """Give an added argument the help ``text``, whose ``%(name)s`` are made when shown.

    Parameters
    ----------
    action
        What ``parser.add_argument(...)`` returned.
    text
        The help, with a ``%(name)s`` per keyword of ``values``.
    **values
        Each returns the text of its ``%(name)s`` (see :class:`LazyText`).

    Returns
    -------
    argparse.Action
        The same action.
    """
    for name, make in values.items():
        setattr(action, name, LazyText(make))
    action.help = text
    return action
