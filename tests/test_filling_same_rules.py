"""A frame of points is filled by the same rules as a GeoJSON document.

``geo add-layer`` fills a large point input column by column (``fill_frame``) and
anything else feature by feature (``fill_properties``). Generated inputs, each given
both ways, must come out with the same properties and the same record of fills.
"""

from __future__ import annotations

import math

import geopandas as gpd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.gis.registry.filling import PropertyDefaults, fill_frame, fill_properties

#: A cell as a file may hold it: absent, blank, spaces, or a value.
CELL = st.sampled_from([None, "", "  ", "a", "b 2", "new-layer-1", "new-layer-3", "7"])
FEATURE = st.fixed_dictionaries(
    {},
    optional={
        "id": CELL,
        "name_zh": CELL,
        "name_en": CELL,
        "kind": CELL,
        "plan_ref": CELL,
        "geometry_source": st.sampled_from([None, "", "surveyed", "digitized"]),
        "accuracy_m": st.sampled_from([None, "", 30.0, 500.0]),
    },
)
DEFAULTS = st.builds(
    PropertyDefaults,
    kind=st.sampled_from([None, "park"]),
    plan_ref=st.sampled_from([None, "第三章"]),
    geometry_source=st.sampled_from([None, "digitized"]),
    accuracy_m=st.sampled_from([None, 50.0]),
    name_zh=st.sampled_from([None, "园区"]),
    name_en=st.sampled_from([None, "Park"]),
)


def _document(rows: list[dict]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": dict(props),
                "geometry": {"type": "Point", "coordinates": [106.4 + i / 1000, 29.6]},
            }
            for i, props in enumerate(rows)
        ],
    }


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """The rows as a point reader gives them: a column for every property any row has."""
    columns = sorted({k for props in rows for k in props})
    data = {c: [props.get(c) for props in rows] for c in columns}
    points = shapely.points([(106.4 + i / 1000, 29.6) for i in range(len(rows))])
    return gpd.GeoDataFrame(data, geometry=points, crs="EPSG:4326")


def _plain(value: object) -> object:
    """A filled value as a file would hold it: numbers as floats, blanks as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    return value


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(FEATURE, min_size=1, max_size=6), defaults=DEFAULTS)
def test_a_frame_and_a_document_are_filled_alike(rows, defaults):
    doc, doc_fills = fill_properties(_document(rows), "new_layer", "新层", "New layer", defaults)
    frame, frame_fills = fill_frame(_frame(rows), "new_layer", "新层", "New layer", defaults)
    assert [str(f) for f in frame_fills] == [str(f) for f in doc_fills]
    assert [(f.prop, f.source, f.feature_ids, f.values) for f in frame_fills] == [
        (f.prop, f.source, f.feature_ids, f.values) for f in doc_fills
    ]
    for feature, (_, row) in zip(doc["features"], frame.iterrows(), strict=True):
        props = feature["properties"]
        for key, value in props.items():
            assert _plain(row[key]) == _plain(value), (key, row[key], value)
        filled = [k for k in frame.columns if k != "geometry" and _plain(row[k]) is not None]
        assert set(filled) <= set(props)
