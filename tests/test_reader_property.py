"""Property test: no document makes the GeoJSON reader or validator fail untidily.

Random JSON-ish documents (wrong types everywhere, deep nesting, NaN, huge numbers,
odd strings, near-valid features around Chongqing) are written to a file and read
back. Whatever they hold, the toolkit either accepts them or raises one of its own
error classes, whose message lists the problems; never a TypeError, KeyError,
RecursionError or any other traceback.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo._errors as errors
from geo.layers import read_layer_document, read_layer_file, validate_file

#: Every exception class the toolkit defines; anything else escaping is a bug.
TOOLKIT_ERRORS = tuple(
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, Exception) and cls.__module__ == errors.__name__
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 0, True, False]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=105.0, max_value=110.0),
    st.floats(min_value=28.0, max_value=33.0),
)
scalars = st.one_of(
    st.none(),
    numbers,
    st.text(max_size=12),
    st.sampled_from(["", " ", "Point", "Polygon", "Feature", "É³Æº°Ó", "\ufffd", "{{7*7}}"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
positions = st.lists(numbers, min_size=0, max_size=4)
coordinates = st.one_of(
    positions,
    st.lists(positions, max_size=5),
    st.lists(st.lists(positions, max_size=5), max_size=3),
    st.lists(st.lists(st.lists(positions, max_size=5), max_size=2), max_size=2),
    json_values,
)
geometry_types = st.one_of(
    st.sampled_from(
        [
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
            "Polygon",
            "MultiPolygon",
            "GeometryCollection",
            "Circle",
        ]
    ),
    json_values,
)
geometries = st.one_of(
    st.fixed_dictionaries({"type": geometry_types, "coordinates": coordinates}),
    st.none(),
    json_values,
)
property_values = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.sampled_from(["a", "b", "a-1"]), json_values),
        "name_zh": json_values,
        "name_en": json_values,
        "kind": json_values,
        "plan_ref": json_values,
        "geometry_source": st.one_of(st.sampled_from(["surveyed", "schematic"]), json_values),
        "accuracy_m": json_values,
        "place": st.one_of(st.sampled_from(["重庆大学A区", "nowhere"]), json_values),
        "geometry": json_values,
        "other": json_values,
    },
)
good_properties = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a", "b", "c-1"]),
        "name_zh": st.just("甲"),
        "name_en": st.just("A"),
        "kind": st.just("k"),
        "plan_ref": st.just("002_8a077782b689f185.txt:L3"),
        "geometry_source": st.sampled_from(["surveyed", "digitized", "schematic"]),
        "accuracy_m": st.one_of(st.just(500), numbers),
    }
)
good_points = st.fixed_dictionaries(
    {
        "type": st.just("Point"),
        "coordinates": st.tuples(
            st.floats(min_value=106.3, max_value=106.5), st.floats(min_value=29.5, max_value=29.7)
        ).map(list),
    }
)


def _spoil(props: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**props, key: value}


almost_valid = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "properties": st.one_of(
            good_properties,
            st.builds(_spoil, good_properties, st.text(max_size=12), json_values),
        ),
        "geometry": st.one_of(good_points, geometries),
    }
)
features = st.one_of(
    almost_valid,
    st.fixed_dictionaries(
        {"type": st.just("Feature"), "properties": property_values, "geometry": geometries}
    ),
    st.fixed_dictionaries(
        {"type": st.just("Feature"), "properties": json_values, "geometry": geometries}
    ),
    json_values,
)
crs_members = st.one_of(
    st.none(),
    json_values,
    st.fixed_dictionaries(
        {
            "type": st.just("name"),
            "properties": st.one_of(
                json_values, st.fixed_dictionaries({"name": st.one_of(json_values, st.text())})
            ),
        }
    ),
)
documents = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.one_of(st.just("FeatureCollection"), json_values),
            "features": st.one_of(st.lists(features, max_size=4), json_values),
        },
        optional={"crs": crs_members},
    ),
    json_values,
)


def _nested(depth: int) -> str:
    """A point whose coordinates are wrapped in ``depth`` more lists, as JSON text."""
    coords = "[" * depth + "[106.46, 29.56]" + "]" * depth
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"id": "x"}, "geometry": {"type": "Point"}}
            ],
        }
    ).replace('{"type": "Point"}', f'{{"type": "Point", "coordinates": {coords}}}')


texts = st.one_of(
    documents.map(lambda d: json.dumps(d, allow_nan=True, ensure_ascii=False)),
    st.integers(min_value=0, max_value=3000).map(_nested),
    st.integers(min_value=0, max_value=200_000).map(lambda n: "[" * n + "]" * n),
    st.text(max_size=40),
)


def _assert_tidy(call: Any) -> None:
    message = "accepted"
    try:
        call()
    except TOOLKIT_ERRORS as exc:
        message = str(exc)
    except Exception as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{type(exc).__name__} escaped the toolkit: {exc!r}")
    assert message  # a refusal says what is wrong


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property")


@SETTINGS
@given(text=texts, crs=st.sampled_from(["wgs84", "gcj02", "EPSG:4544"]))
def test_reading_any_file_fails_only_with_toolkit_errors(folder, text, crs):
    path = folder / "layer.geojson"
    raw = text.encode("utf-8", "surrogatepass")
    path.write_bytes(raw)
    _assert_tidy(lambda: validate_file(path, crs))
    _assert_tidy(lambda: read_layer_file(path, crs))
    assert path.read_bytes() == raw  # the input is never modified


@SETTINGS
@given(doc=documents, geometry_type=st.sampled_from([None, "Point", "Polygon"]))
def test_validating_any_document_fails_only_with_toolkit_errors(doc, geometry_type):
    _assert_tidy(lambda: read_layer_document(doc, "memory.geojson", "wgs84", geometry_type))


def test_the_property_test_can_fail():
    # a non-toolkit error is reported, so a reader bug would not pass unnoticed
    with pytest.raises(pytest.fail.Exception, match="TypeError escaped"):
        _assert_tidy(lambda: len(5))
