"""Property test: no input makes a reader or the validator fail untidily.

Random JSON-ish documents (wrong types everywhere, deep nesting, NaN, huge numbers,
odd strings, near-valid features around Chongqing) are written to a file and read
back. Whatever they hold, the toolkit either accepts them or raises one of its own
error classes, whose message lists the problems; never a TypeError, KeyError,
RecursionError or any other traceback. The same holds for every other reader: POI
lists (JSON and CSV), the gazetteer, the claims ledger and the catalog, fed random
documents and the real files truncated, spliced with stray bytes, quotes, control
characters, lone surrogates and GBK text. No reader changes its input.
"""

from __future__ import annotations

import inspect
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo.errors as errors
from geo.claims.ledger import read_ledger
from geo.data.catalog import read_catalog
from geo.data.gazetteer import load_gazetteer
from geo.data.inputs import read_layer_file, validate_file
from geo.data.layerfile import read_layer_document
from geo.gis.poi import read_points

#: Every exception class the toolkit defines; anything else escaping is a bug.
TOOLKIT_ERRORS = tuple(
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, Exception) and cls.__module__ == errors.__name__
)

#: Examples per reader: 200 in ``make test``; ``make test-fast`` sets GEO_TEST_EXAMPLES=25.
EXAMPLES = int(os.environ.get("GEO_TEST_EXAMPLES", "200"))

SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run: a failure is reproducible
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


def _assert_tidy(call: Any) -> Any:
    """Run ``call``; return its result, or None when it refused with a toolkit error."""
    message, result = "accepted", None
    try:
        result = call()
    except TOOLKIT_ERRORS as exc:
        message = str(exc)
    except Exception as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{type(exc).__name__} escaped the toolkit: {exc!r}")
    assert message  # a refusal says what is wrong
    return result


def _assert_clean(texts: Any) -> None:
    """Text a reader accepted holds nothing the text policy refuses."""
    from geo.data.names import normalize_name

    for text in texts:
        bad = [c for c in str(text) if ord(c) < 32 and c not in "\t\n\r"]
        bad += [c for c in str(text) if 0xD800 <= ord(c) <= 0xDFFF or 0x7F <= ord(c) <= 0x9F]
        assert not bad, f"{text!r} holds {bad!r}"
        assert "\ufeff" not in normalize_name(str(text))


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


# --------------------------------------------------------------------------- other readers
LAYERS = Path(__file__).resolve().parents[1] / "layers"
#: Bytes that break text files in the ways seen in the field.
SPLICES = [
    b'"',
    b",",
    b"\n",
    b"\r",
    b"\x00",
    b"\x07",
    b"\x1b",
    b"\xed\xa0\x80",  # a lone surrogate as UTF-8 would write it
    "\ufeff".encode(),
    "\u200b".encode(),
    "沙坪坝".encode("gbk"),
    b"\xff\xfe",
    b"*a ",
    b"&a ",
    b": ",
    b"- ",
    b"[",
    b"{",
    b"\t",
]


def mutations(base: bytes) -> st.SearchStrategy[bytes]:
    """The file ``base`` truncated, spliced with stray bytes, or replaced by noise."""
    at = st.integers(min_value=0, max_value=len(base))
    splice = st.one_of(st.sampled_from(SPLICES), st.binary(max_size=12))
    return st.one_of(
        at.map(lambda n: base[:n]),
        st.tuples(at, splice).map(lambda t: base[: t[0]] + t[1] + base[t[0] :]),
        st.tuples(at, at, splice).map(lambda t: base[: min(t[:2])] + t[2] + base[max(t[:2]) :]),
        st.binary(max_size=300),
    )


_names = itertools.count()


def _fresh(folder: Path, name: str, raw: bytes) -> Path:
    """Write ``raw`` to a new file (readers cache by path and modification time)."""
    path = folder / f"{next(_names)}" / name
    path.parent.mkdir()
    path.write_bytes(raw)
    return path


poi_texts = st.one_of(
    texts,
    st.fixed_dictionaries({"pois": st.one_of(st.lists(json_values, max_size=4), json_values)}).map(
        json.dumps
    ),
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "name": st.one_of(st.text(max_size=8), json_values),
                "location": st.one_of(st.just("106.46,29.56"), json_values),
                "address": json_values,
            },
        ),
        max_size=4,
    ).map(lambda pois: json.dumps({"pois": pois})),
    st.lists(
        st.fixed_dictionaries(
            {"name": json_values, "location": st.one_of(json_values, st.just({"lng": 1}))}
        ),
        max_size=4,
    ).map(lambda results: json.dumps({"results": results})),
)


@SETTINGS
@given(text=poi_texts, crs=st.sampled_from(["wgs84", "gcj02", "bd09"]))
def test_reading_any_point_list_fails_only_with_toolkit_errors(folder, text, crs):
    raw = text.encode("utf-8", "surrogatepass")
    path = _fresh(folder, "points.json", raw)
    found = _assert_tidy(lambda: read_points(path, crs))
    if found is not None:
        _assert_clean([*found.points["name"], *found.points["address"]])
    assert path.read_bytes() == raw


csv_cells = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", '"', "a,b", "\ud800", "a\x07b", "\ufeff名", '"a\nb"', "\x1b"]),
)
point_rows = st.tuples(
    csv_cells,
    st.sampled_from(["106.46", "106.5", "x", ""]),
    st.sampled_from(["29.56", "29.6", "y"]),
).map(",".join)
csv_texts = st.lists(
    st.one_of(point_rows, st.lists(csv_cells, min_size=1, max_size=4).map(",".join)),
    min_size=1,
    max_size=5,
).map("\n".join)
csv_headers = st.sampled_from(["name,lon,lat", "name,location", "x,y", "名称,经度,纬度", ""])


@SETTINGS
@given(header=csv_headers, body=csv_texts)
def test_reading_any_point_csv_fails_only_with_toolkit_errors(folder, header, body):
    raw = f"{header}\n{body}\n".encode("utf-8", "surrogatepass")
    path = _fresh(folder, "points.csv", raw)
    found = _assert_tidy(lambda: read_points(path, "wgs84"))
    if found is not None:
        _assert_clean([*found.points["name"], *found.points["address"]])
    assert path.read_bytes() == raw


@SETTINGS
@given(raw=mutations((LAYERS / "gazetteer.csv").read_bytes()))
def test_reading_any_gazetteer_fails_only_with_toolkit_errors(folder, raw):
    path = _fresh(folder, "gazetteer.csv", raw)
    found = _assert_tidy(lambda: load_gazetteer(path))
    if found is not None:
        _assert_tidy(lambda: found.validate(zones=()))
        _assert_clean(name for place in found for name in (*place.names, place.source))
    assert path.read_bytes() == raw


@SETTINGS
@given(raw=mutations((LAYERS / "claims.csv").read_bytes()))
def test_reading_any_ledger_fails_only_with_toolkit_errors(folder, raw):
    path = _fresh(folder, "claims.csv", raw)
    found = _assert_tidy(lambda: read_ledger(path))
    if found is not None:
        _assert_clean([*found["place"], *found["quote"]])
    assert path.read_bytes() == raw


@SETTINGS
@given(raw=mutations((LAYERS / "catalog.yaml").read_bytes()))
def test_reading_any_catalog_fails_only_with_toolkit_errors(folder, raw):
    path = _fresh(folder, "catalog.yaml", raw)
    found = _assert_tidy(lambda: read_catalog(path))
    for spec in found or []:
        _assert_clean([spec.id, spec.title_zh, spec.title_en, spec.group, spec.provenance])
    assert path.read_bytes() == raw
