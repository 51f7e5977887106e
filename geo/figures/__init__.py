"""What a figure shows, whatever draws it: read by the web maps and the prints alike.

Floor 4 (README, "Architecture"): above the data and the measures, below
:mod:`geo.maps` (folium) and :mod:`geo.printing` (matplotlib), which never import each
other. :mod:`~geo.figures.specs` holds the figures' registry; :mod:`~geo.figures.layers`
chooses a figure's layers and colours; :mod:`~geo.figures.depiction` decides how each
feature is shown; :mod:`~geo.figures.placed`, :mod:`~geo.figures.schematic`,
:mod:`~geo.figures.keys`, :mod:`~geo.figures.labels` and :mod:`~geo.figures.context`
place symbols, keys, labels and context zones; :mod:`~geo.figures.styles` is the one
palette; :mod:`~geo.figures.texts` the words every figure carries.
"""
