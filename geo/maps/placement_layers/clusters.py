"""The shared point cluster, and labels that follow their layer's visibility."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import folium.plugins
from branca.element import MacroElement
from folium.template import Template

from geo.figures.placed import CLUSTER_RADIUS_PX, MAX_ZOOM

__all__ = [
    "FollowLayer",
    "badge_colours",
    "label_groups",
    "point_cluster",
]


class FollowLayer(MacroElement):
    """Show ``follower`` exactly while ``leader`` is on the map (no data in the script).

    Parameters
    ----------
    leader, follower
        Layers already added to the map; the follower starts visible.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.leader.get_name() }}.on("add", function () {
            {{ this.follower.get_name() }}.addTo({{ this._parent.get_name() }});
        });
        {{ this.leader.get_name() }}.on("remove", function () {
            {{ this._parent.get_name() }}.removeLayer({{ this.follower.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, leader: Any, follower: Any) -> None:
        super().__init__()
        self._name = "FollowLayer"
        self.leader = leader
        self.follower = follower


def label_groups(m: folium.Map, groups: Mapping[str, Any]) -> dict[str, str]:
    """Return the JavaScript name of the group each layer's map labels go in.

    A clustered point layer's own group would fold its labels into the cluster with
    its points, so its labels get a plain group of their own that follows the layer
    on and off the map.

    Parameters
    ----------
    m
        The map.
    groups
        Layer id to the group the layer is drawn in.

    Returns
    -------
    dict of str to str
    """
    out = {}
    for lid, group in groups.items():
        if isinstance(group, folium.plugins.FeatureGroupSubGroup):
            twin = folium.FeatureGroup(name=f"{lid}-labels", control=False).add_to(m)
            FollowLayer(group, twin).add_to(m)
            group = twin
        out[lid] = group.get_name()
    return out


def badge_colours(colors: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Return each layer's badge border: its colour when it has one, else dark grey.

    Parameters
    ----------
    colors
        Layer id to class to colour (the figure's legend colours).

    Returns
    -------
    dict of str to str
    """
    return {lid: next(iter(c.values())) if len(c) == 1 else "#333333" for lid, c in colors.items()}


#: A cluster icon hardly larger than a point symbol (the default is 40 px), so that it
#: leaves room for the labels of small zones around it. Only a count enters it.
_CLUSTER_ICON = """
function (cluster) {
    return L.divIcon({
        html: "<div><span>" + cluster.getChildCount() + "</span></div>",
        className: "marker-cluster marker-cluster-small geo-cluster",
        iconSize: L.point(16, 16)
    });
}
"""


def point_cluster(m: folium.Map) -> folium.plugins.MarkerCluster:
    """Return the one cluster group that holds every point layer of a map."""
    # clustering needs a maximum zoom, which a map without tiles does not set
    m.options.setdefault("max_zoom", MAX_ZOOM)
    cluster = folium.plugins.MarkerCluster(
        name="points",
        control=False,
        icon_create_function=_CLUSTER_ICON,
        options={
            "maxClusterRadius": CLUSTER_RADIUS_PX,
            "spiderfyOnMaxZoom": True,
            "showCoverageOnHover": False,
        },
    )
    cluster.add_to(m)
    return cluster
