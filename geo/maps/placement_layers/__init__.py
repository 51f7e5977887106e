"""The placement rule on a map: points, count badges on areas, a not-located list.

A point layer's features are split by :func:`geo.data.placement.placement`:

``point`` and ``schematic``
    drawn as one circle marker each (schematic ones hollow and dashed, at the slot
    :mod:`geo.figures.schematic` gives them around their anchor, over a faint disc of their
    uncertainty). All point layers of a figure share one
    :class:`folium.plugins.MarkerCluster` (each layer a sub-group, so the layer
    control still toggles it): points within a few pixels of each other at the
    current zoom are drawn as one numbered cluster instead of hiding each other.
``badge``
    one labelled badge per (zone, layer), e.g. "东部人字母城 · 3 个研发平台", on the
    zone named by the feature's ``within``; its popup lists every member with its
    plan reference.
    When the figure does not draw the zone's layer, the zone is drawn faintly for
    it (:mod:`~geo.maps.placement_layers.context`: a thin grey outline and a light
    label, one legend row).
``listed``
    listed, by layer (and by the zone it lies in, when that zone cannot be drawn),
    in the collapsible "位置未定 / not located" panel; never drawn.

Numbered symbols are keyed in a collapsible "图例编号 Key" panel.

Every data string is HTML-escaped before it reaches a popup, badge or the panel.
"""
