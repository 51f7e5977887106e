"""The data: catalog, gazetteer and layers, read, checked, converted and derived.

Floor 2 of the package (README, "Architecture"): everything here imports only the core
modules of ``geo/`` and its own modules. Reading a data folder goes through
:class:`geo.Project`; the modules are its rooms:

- :mod:`~geo.data.catalog`: what every layer is (``layers/catalog.yaml``);
- :mod:`~geo.data.gazetteer`, :mod:`~geo.data.names`, :mod:`~geo.data.accuracy`:
  places, their aliases and how wrong a position may be;
- :mod:`~geo.data.crs`, :mod:`~geo.data.units`: coordinate systems and units;
- :mod:`~geo.data.intake`, :mod:`~geo.data.encoding`, :mod:`~geo.data.inputs`,
  :mod:`~geo.data.layerfile`, :mod:`~geo.data.checks`, :mod:`~geo.data.validity`:
  reading any input and checking every feature;
- :mod:`~geo.data.layers`: layers by catalog id, written back as GeoJSON;
- :mod:`~geo.data.placement`: the placement rule;
- :mod:`~geo.data.derive`, :mod:`~geo.data.derived_cache`: derived layers and their
  cache; :mod:`~geo.data.digests`, :mod:`~geo.data.reads`: what a build read.
"""
