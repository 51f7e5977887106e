"""Element ids from a counter, so the same map gives the same page bytes.

folium and branca give every element a random id (``map_3f9c...``) when it is
created, so two renders of one map differ in every variable name. Inside
:func:`stable_ids` the ids come from a counter that starts again for each page:
the n-th element created gets the n-th id. Ids are set at creation, as before, so
code that writes ``element.get_name()`` into a script while the map is being built
still names the same element when the page is rendered.

>>> import folium
>>> from geo.maps.ids import stable_ids
>>> with stable_ids("fig1"):
...     first = folium.Map(tiles=None).get_name()
>>> with stable_ids("fig1"):
...     again = folium.Map(tiles=None).get_name()
>>> first, first == again, first == folium.Map(tiles=None).get_name()
('map_0b190000000000000000000000000001', True, False)
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from branca.element import Element

__all__ = ["stable_ids"]

#: One page at a time: the id source is a class attribute shared by every thread.
_LOCK = threading.RLock()


@contextmanager
def stable_ids(seed: str = "") -> Iterator[None]:
    """Give every folium/branca element created in the block an id from a counter.

    The block should cover building *and* rendering the page: some elements are
    created while rendering.

    Parameters
    ----------
    seed
        Text mixed into every id (e.g. the page's name), so ids of two pages never
        meet when one page embeds another.

    Yields
    ------
    None
    """
    prefix = _prefix(seed)
    counter = itertools.count(1)
    with _LOCK:
        before = Element.__dict__["_generate_id"]

        def _next(cls: type) -> str:
            return f"{prefix}{next(counter):028x}"

        Element._generate_id = classmethod(_next)  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            Element._generate_id = before  # type: ignore[method-assign]


def _prefix(seed: str) -> str:
    """Return four hex digits derived from ``seed`` (stable across processes)."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:4]
