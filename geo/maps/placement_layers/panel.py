"""The collapsible not-located panel, and the stylesheet of badges and panel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd

from geo.maps.placement_layers.placed import BADGE_CLASS, PANEL_CLASS, PlacedLayer, _esc

if TYPE_CHECKING:
    from geo.catalog import LayerSpec


__all__ = [
    "unlocated_html",
]


def _listed(rows: list[dict[str, Any]], note_key: str = "plan_ref") -> str:
    return "".join(
        f"<li>{_esc(r.get('name_zh'))} <span class='geo-ref'>{_esc(r.get(note_key))}</span></li>"
        for r in rows
    )


def _by_class(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> str:
    """List features under a heading per class (the layer's category field)."""
    field = layer.kind_field if layer.kind_field in gdf.columns else "kind"
    rows = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    classes: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        classes.setdefault(str(r.get(field) or ""), []).append(r)
    if len(classes) == 1:
        return f"<ul>{_listed(rows)}</ul>"
    return "".join(
        f'<div class="geo-class">{_esc(k)}</div><ul>{_listed(v)}</ul>'
        for k, v in sorted(classes.items())
    )


def unlocated_html(
    placed: list[PlacedLayer], underivable: tuple[tuple[LayerSpec, gpd.GeoDataFrame], ...] = ()
) -> str:
    """Return the "位置未定 / not located" panel; empty when nothing is to be listed.

    Parameters
    ----------
    placed : list of PlacedLayer
        The split point layers: their unlocated features are listed by layer, and
        within a layer by class, with their plan references.
    underivable : tuple of (LayerSpec, GeoDataFrame)
        Zones of the figure that could not be derived (empty shapes), listed with
        the reason.

    Returns
    -------
    str
        Collapsible ``<details>`` blocks, every value escaped.
    """
    blocks = [
        f'<details data-layer="{_esc(pl.layer.id)}"><summary>{_esc(pl.layer.title_zh)} '
        f"{_esc(pl.layer.title_en)} ({len(pl.unlocated)})</summary>"
        f"{_by_class(pl.layer, pl.unlocated)}</details>"
        for pl in placed
        if not pl.unlocated.empty
    ]
    blocks += [
        f'<details data-layer="{_esc(layer.id)}"><summary>{_esc(layer.title_zh)} '
        f"{_esc(layer.title_en)}: 未能绘出 not derivable ({len(zones)})</summary>"
        f"<ul>{_listed(zones.drop(columns=zones.geometry.name).to_dict('records'), 'rule')}"
        "</ul></details>"
        for layer, zones in underivable
    ]
    if not blocks:
        return ""
    # one box, open on a wide screen; the legend's script closes it on a narrow one
    return (
        '<details class="geo-unlocated-box" open>'
        '<summary class="geo-unlocated-title">位置未定 / not located</summary>'
        '<div class="geo-note">只知在区内，不绘为点 Known only to be in the district: '
        "listed, not drawn.</div>" + "".join(blocks) + "</details>"
    )


#: Styles of badges and the not-located panel (added to the map's stylesheet).
PLACEMENT_CSS = f"""
.{BADGE_CLASS} {{ display: inline-block; position: relative; white-space: nowrap;
  transform: translate(-50%, -50%);
  background: rgba(255,255,255,0.92); border: 2px solid #333; border-radius: 10px;
  padding: 1px 6px; font: 12px/16px sans-serif; color: #222; }}
.{PANEL_CLASS} {{ background: rgba(255,255,255,0.95); padding: 6px 8px; max-width: 300px;
  max-height: 40vh; overflow-y: auto; font: 12px/16px sans-serif; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); }}
.{PANEL_CLASS} ul {{ margin: 2px 0 4px 0; padding-left: 16px; }}
.{PANEL_CLASS} .geo-ref, .geo-badge-list .geo-ref {{ color: #666; font-size: 10px; }}
.geo-unlocated-title {{ font-weight: bold; }}
.geo-cluster div {{ width: 18px; height: 18px; margin: 2px; border-radius: 9px; }}
.geo-cluster span {{ line-height: 18px; font: bold 11px/18px sans-serif; }}
/* the cluster layer animates every marker icon while it regroups; badges and map
   labels are placed by measuring them, so they must stand still */
.leaflet-cluster-anim .geo-badge-icon, .leaflet-cluster-anim .geo-label-anchor {{
  transition: none !important; }}
.{PANEL_CLASS} .geo-class {{ font-style: italic; margin-top: 2px; }}
"""
