"""The legend's swatches and the stylesheet shared by every map and the index."""

from __future__ import annotations

import html

from geo.figures.styles.layer_style import SCHEMATIC_DASH

__all__ = [
    "swatch_html",
]


def swatch_html(
    geometry_type: str, color: str, schematic: bool = False, dash: str | None = None
) -> str:
    """Return an inline SVG swatch for the legend, drawn like the map draws it.

    Parameters
    ----------
    geometry_type
        ``Point``, ``LineString`` or ``Polygon`` (Multi- forms accepted).
    color
        Hex colour.
    schematic
        Draw the dashed schematic variant.
    dash
        The layer's own dash pattern (the Science City's dash-dot), drawn always.

    Returns
    -------
    str
        An ``<svg>`` element, 18 x 12 px.
    """
    c = html.escape(color, quote=True)
    pattern = dash or (SCHEMATIC_DASH if schematic else "")
    dash = f' stroke-dasharray="{html.escape(pattern.replace(" ", ","))}"' if pattern else ""
    gtype = geometry_type.removeprefix("Multi")
    if gtype == "Point":
        shape = f'<circle cx="9" cy="6" r="5" fill="{c}" stroke="{c}" fill-opacity="0.85"/>'
    elif gtype == "LineString":
        shape = f'<line x1="1" y1="6" x2="17" y2="6" stroke="{c}" stroke-width="3"{dash}/>'
    else:
        shape = (
            f'<rect x="1" y="1" width="16" height="10" fill="{c}" fill-opacity="0.3" '
            f'stroke="{c}" stroke-width="2"{dash}/>'
        )
    return f'<svg width="18" height="12" aria-hidden="true">{shape}</svg>'


#: CSS of the title block, legend, labels, furniture and popups (shared by every map
#: and the index).
MAP_CSS = """
.geo-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
 max-width:min(620px,64vw);background:rgba(255,255,255,.93);padding:5px 12px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:13px/1.3 system-ui,"Noto Sans CJK SC",sans-serif;
 text-align:center}
.geo-caption-zh{font-size:16px;font-weight:700}
.geo-caption-en{font-size:12px;color:#333}
.geo-back{font-size:11px}
.geo-note,.geo-meta,.geo-missing{font-size:11px;color:#555}
.geo-missing{color:#a33}
.geo-source{position:absolute;left:0;right:0;bottom:0;z-index:1000;
 background:rgba(255,255,255,.85);padding:2px 8px;font:10px/1.3 system-ui,"Noto Sans CJK SC",
 sans-serif;color:#333}
.geo-source .geo-note{font-size:10px}
.folium-map .leaflet-bottom{bottom:30px}
.geo-north-arrow{background:rgba(255,255,255,.85);border-radius:4px;padding:2px 4px 0;
 line-height:0;box-shadow:0 1px 4px rgba(0,0,0,.3);margin-top:80px!important}
.geo-legend{background:rgba(255,255,255,.93);padding:5px 8px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:12px/1.3 system-ui,"Noto Sans CJK SC",sans-serif;
 max-height:calc(100vh - 150px);overflow:auto;max-width:340px}
.geo-legend-toggle{font:700 12px system-ui,"Noto Sans CJK SC",sans-serif;border:0;
 background:none;padding:0;cursor:pointer}
.geo-legend-toggle::after{content:" ▾"}
.geo-legend.geo-collapsed .geo-legend-toggle::after{content:" ▸"}
.geo-legend.geo-collapsed .geo-legend-body{display:none}
.geo-legend-layer{margin-top:3px}
.geo-legend-head{font-weight:700}
.geo-legend-row svg{vertical-align:middle}
.geo-en{color:#555;font-size:11px}
.geo-label-anchor{background:none;border:0}
.geo-label{position:absolute;white-space:nowrap;text-align:center;pointer-events:none;
 font-family:system-ui,"Noto Sans CJK SC",sans-serif;color:#222;line-height:1.15;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.geo-label span{display:block}
.geo-label-centre{transform:translate(-50%,-50%)}
.geo-label-right{transform:translate(7px,-50%);text-align:left}
.geo-label-1{font-size:17px;font-weight:700}
.geo-label-2{font-size:14px;font-weight:700;color:#1a3d1a}
.geo-label-3{font-size:12px;font-weight:600}
.geo-label-4{font-size:11px;color:#444}
.geo-label-note{font-size:11px;font-weight:600;color:#333}
.geo-label-river{color:#1f5fa8;font-style:italic}
.geo-label-road{color:#6b6b6b}
.geo-label-ridge{color:#5c6b3a}
.geo-label-hidden{visibility:hidden}
.geo-popup table{border-collapse:collapse;font-size:12px}
.geo-popup th{text-align:left;padding-right:6px;color:#444;font-weight:600;white-space:nowrap}
.geo-popup td{word-break:break-word}
@media (max-width:600px){
 .geo-title{left:52px;right:52px;transform:none;max-width:none;padding:3px 6px}
 .geo-caption-zh{font-size:13px}
 .geo-caption-en{display:none}
 .geo-source{font-size:9px}
 .geo-source .geo-note,.geo-source-en{display:none}
 .geo-label-3{font-size:11px}
 .geo-label-4{font-size:10px}
 .leaflet-control-minimap{display:none}
 .geo-legend{max-width:80vw;max-height:50vh}
}
"""
# leaflet-minimap links its toggle icon by a relative path that an inlined (offline)
# stylesheet cannot reach; an inline SVG arrow replaces it.
MAP_CSS += (
    ".leaflet-control-minimap-toggle-display{background-size:12px;"
    "background-image:url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' "
    "viewBox='0 0 10 10'%3E%3Cpath d='M2 2l6 3-6 3z' fill='%23333'/%3E%3C/svg%3E\")!important}"
)
