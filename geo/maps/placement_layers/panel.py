"""The collapsible not-located panel, and the stylesheet of badges and panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from geo.figures.keys import _key_sort, key_status
from geo.figures.placed import BADGE_CLASS, PANEL_CLASS, PlacedLayer
from geo.maps.features import esc as _esc

if TYPE_CHECKING:
    from geo.data.catalog import LayerSpec


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


def _by_area(layer: LayerSpec, gdf: gpd.GeoDataFrame, labels: Mapping[str, str]) -> str:
    """List features under the zone each is known to lie in, then those with none."""
    if "area" not in gdf.columns or not gdf["area"].astype(bool).any():
        return _by_class(layer, gdf)
    parts = []
    for area, members in gdf.groupby(gdf["area"].fillna("").astype(str), sort=True):
        if not area:
            continue
        name = labels.get(area, area)
        parts.append(
            f'<div class="geo-class" data-area="{_esc(area)}">在{_esc(name)}内 '
            f"in {_esc(name)} (本图未绘此区 zone not drawn here)</div>"
            f"<ul>{_listed(members.drop(columns=members.geometry.name).to_dict('records'))}</ul>"
        )
    rest = gdf[~gdf["area"].fillna("").astype(bool)]
    if len(rest):
        parts.append(f'<div class="geo-class">区内 in the district</div>{_by_class(layer, rest)}')
    return "".join(parts)


def unlocated_html(
    placed: list[PlacedLayer],
    underivable: tuple[tuple[LayerSpec, gpd.GeoDataFrame], ...] = (),
    labels: Mapping[str, str] | None = None,
) -> str:
    """Return the "位置未定 / not located" panel; empty when nothing is to be listed.

    Parameters
    ----------
    placed
        The split point layers: their unlocated features are listed by layer, and
        within a layer by class, with their plan references.
    underivable
        Zones of the figure that could not be derived (empty shapes), listed with
        the reason.
    labels
        Zone id to its name: features known to lie in a zone the figure does not
        draw are listed under it (their ``area``).

    Returns
    -------
    str
        Collapsible ``<details>`` blocks, every value escaped.
    """
    blocks = [
        f'<details data-layer="{_esc(pl.layer.id)}"><summary>{_esc(pl.layer.title_zh)} '
        f"{_esc(pl.layer.title_en)} ({len(pl.unlocated)})</summary>"
        f"{_by_area(pl.layer, pl.unlocated, labels or {})}</details>"
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
        '<div class="geo-note">位置过粗，不绘于图上 Known only to a zone or the district: '
        "listed, not drawn.</div>" + "".join(blocks) + "</details>"
    )


def keys_html(placed: list[PlacedLayer]) -> str:
    """Return the key list: number → name → status of every numbered symbol, by layer.

    Parameters
    ----------
    placed
        The split point layers; their drawn features carry ``key``.

    Returns
    -------
    str
        A collapsible ``<details>`` block (empty when no symbol is numbered), every
        value escaped.
    """
    blocks, count = [], 0
    for pl in placed:
        drawn = pl.points
        if "key" not in drawn.columns or not drawn["key"].astype(bool).any():
            continue
        rows = drawn.drop(columns=drawn.geometry.name).to_dict("records")
        rows.sort(key=lambda r: _key_sort(str(r.get("key") or "")))
        count += len(rows)
        items = "".join(
            f'<tr data-id="{_esc(r.get("id"))}" data-shown="{_esc(r.get("shown"))}">'
            f'<td class="geo-key-no">{_esc(r.get("key"))}</td><td>{_esc(r.get("name_zh"))}'
            f"{'（示意）' if r.get('shown') == 'schematic' else ''}</td>"
            f'<td class="geo-key-status">{_esc(key_status(r))}</td></tr>'
            for r in rows
        )
        blocks.append(
            f'<div class="geo-class" data-layer="{_esc(pl.layer.id)}">{_esc(pl.layer.title_zh)} '
            f"{_esc(pl.layer.title_en)}</div><table>{items}</table>"
        )
    if not blocks:
        return ""
    # open when short enough to leave the map's controls in place
    state = " open" if count <= KEYS_OPEN_MAX else ""
    return (
        f'<details class="geo-keys-box"{state}><summary class="geo-unlocated-title">'
        "图例编号 Key</summary>" + "".join(blocks) + "</details>"
    )


#: Key lists of at most this many rows start open (on a wide screen).
KEYS_OPEN_MAX = 24


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
.geo-cluster div {{ width: 16px; height: 16px; margin: 0; border-radius: 8px; }}
.geo-cluster span {{ line-height: 16px; font: bold 10px/16px sans-serif; }}
/* the cluster layer animates every marker icon while it regroups; badges and map
   labels are placed by measuring them, so they must stand still */
.leaflet-cluster-anim .geo-badge-icon, .leaflet-cluster-anim .geo-label-anchor {{
  transition: none !important; }}
.{PANEL_CLASS} .geo-class, .geo-keys .geo-class {{ font-style: italic; margin-top: 2px; }}
.geo-keys {{ background: rgba(255,255,255,0.95); padding: 6px 8px; max-width: 320px;
  max-height: 35vh; overflow-y: auto; font: 12px/15px sans-serif; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); }}
/* a badge with no clear spot for its text shows its count only (named in its popup) */
.{BADGE_CLASS}.geo-badge-compact .geo-badge-area,
.{BADGE_CLASS}.geo-badge-compact .geo-badge-rest {{ display: none; }}
/* on a phone a badge shows its count only: it stands in its zone, named in its popup */
@media (max-width: 600px) {{ .{BADGE_CLASS} .geo-badge-area,
  .{BADGE_CLASS} .geo-badge-rest {{ display: none; }}
  .{BADGE_CLASS} {{ font-size: 11px; padding: 0 4px; }} }}
/* on a phone the title block spans the top: the key list starts below it */
@media (max-width: 700px) {{ .geo-keys {{ margin-top: 84px !important; }} }}
.geo-keys table {{ border-collapse: collapse; }}
.geo-keys td {{ padding: 0 4px 0 0; vertical-align: top; }}
.geo-keys .geo-key-no {{ font-weight: bold; white-space: nowrap; }}
.geo-keys .geo-key-status {{ color: #666; font-size: 10px; }}
.geo-badge-leader {{ position: absolute; left: 50%; top: 50%; height: 0;
  border-top: 1px solid #333; transform-origin: 0 0; pointer-events: none; }}
"""
