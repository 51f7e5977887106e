"""One style module for every map: the atlas palette, widths, fills and legend names.

Colours come from one table, :data:`ATLAS` (:mod:`geo.figures.styles.atlas`): every
legend class (a layer's class, or the layer drawn in one colour) has one colour on
every figure, web map, legend, print and GeoPackage style. Zone classes follow the
GB/T 50137 land-use colours planners read; only water is blue (:func:`is_blue`);
rivers, roads and ridges are light context in colours of their own (:data:`CONTEXT`).
Within a figure the classes stay apart for normal vision and under simulated
deuteranopia and protanopia (CIELAB ΔE, :func:`distinguishable`).
:func:`figure_palette` gives each class its atlas colour and a class the atlas does
not list (a layer added later) the first free colour of the Okabe & Ito (2008) and
Paul Tol palettes, blues excepted.

:func:`category_colors` gives the GeoPackage export the same colours.

Geometry made by ``schematic`` drawing shows relations, not footprints, so it is
drawn dashed with a lighter fill: visibly different from surveyed or digitised
shapes. The legend uses the same functions, so it always matches the map.
"""
