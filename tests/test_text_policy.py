"""One text policy at the door: invisible characters dropped, control characters refused.

Built from a tester's reproductions: a name starting with U+FEFF crashed the PDF
print, a lone surrogate passed ``validate`` and broke every later command, control
characters made the KML export malformed, and line breaks in names ran the print's
list off the page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import feature, point
from geo.claims.ledger import read_ledger
from geo.data.catalog import read_catalog
from geo.data.gazetteer import load_gazetteer
from geo.data.inputs import read_layer_file, validate_file
from geo.data.intake import clean_text, text_problem
from geo.errors import (
    CatalogFileError,
    GazetteerFileError,
    LayerValidationError,
    LedgerFileError,
)
from geo.gis.poi import read_points

X, Y = 106.4662, 29.5665
LAYERS = Path(__file__).resolve().parents[1] / "layers"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ufeff沙坪坝", "沙坪坝"),
        ("沙\u200b坪坝", "沙坪坝"),
        ("a\u2060b", "ab"),
        ("emoji\u200d", "emoji\u200d"),  # the joiner is kept
    ],
)
def test_invisible_characters_are_dropped(text: str, expected: str) -> None:
    assert text_problem(text) is None
    assert clean_text(text) == expected


def test_line_breaks_become_a_space_in_one_line_fields_only() -> None:
    assert (
        clean_text("第一行\n第二行\r\n三\u2028四\t五", single_line=True) == "第一行 第二行 三 四 五"
    )
    assert clean_text("第一行\n第二行") == "第一行\n第二行"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("a\x07b", "control character U+0007 at character 2"),
        ("\x0bx", "control character U+000B at character 1"),
        ("ab\x0c", "control character U+000C at character 3"),
        ("\x1b[31m", "control character U+001B at character 1"),
        ("a\x00", "control character U+0000 at character 2"),
        ("a\x9bb", "control character U+009B at character 2"),
        ("a\ud800b", "lone surrogate U+D800 at character 2"),
    ],
)
def test_control_characters_and_lone_surrogates_are_refused(text: str, found: str) -> None:
    assert text_problem(text) == found


def _layer(tmp_path: Path, **props: object) -> Path:
    path = tmp_path / "layer.geojson"
    doc = {"type": "FeatureCollection", "features": [feature("a-1", point(X, Y), **props)]}
    path.write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", ["a\ud800b", "a\x07b", "a\x0bb", "a\x0cb", "a\x1bb"])
def test_validate_refuses_what_later_commands_cannot_write(tmp_path: Path, bad: str) -> None:
    path = _layer(tmp_path, name_zh=bad)
    problems = validate_file(path)
    assert len(problems) == 1, problems
    assert problems[0].feature_id == "a-1"
    assert "property 'name_zh' holds a" in problems[0].problem
    assert "delete the character" in problems[0].fix
    with pytest.raises(LayerValidationError):  # add-layer and every load read the same way
        read_layer_file(path)


def test_a_bom_and_line_breaks_in_names_are_cleaned_when_read(tmp_path: Path) -> None:
    path = _layer(tmp_path, name_zh="\ufeff名字\n第二行", name_en="Two\r\nlines")
    assert validate_file(path) == []
    gdf = read_layer_file(path)
    assert gdf.loc[0, "name_zh"] == "名字 第二行"
    assert gdf.loc[0, "name_en"] == "Two lines"


def test_a_place_with_a_bom_resolves(tmp_path: Path) -> None:
    path = _layer(tmp_path, place="\ufeff重庆大学")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["geometry"] = None
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert validate_file(path) == []


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("catalog.yaml", "gazetteer.csv", "claims.csv"):
        shutil.copy(LAYERS / name, tmp_path / name)
    return tmp_path


def test_gazetteer_control_character_names_row_and_column(folder: Path) -> None:
    path = folder / "gazetteer.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",", "\x07,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(GazetteerFileError) as info:
        load_gazetteer(path)
    message = str(info.value)
    assert message.startswith(f"{path}: row 4, column name_zh: control character U+0007")
    assert "fix: delete the character" in message
    assert "\n" not in message


def test_gazetteer_names_lose_bom_and_line_breaks(folder: Path) -> None:
    path = folder / "gazetteer.csv"
    text = path.read_text(encoding="utf-8")
    first = load_gazetteer(path).places[0]
    text = text.replace(first.name_en, f'"\ufeff{first.name_en[:3]}\n{first.name_en[3:]}"', 1)
    path.write_text(text, encoding="utf-8")
    place = load_gazetteer(path).places[0]
    assert place.name_en == f"{first.name_en[:3]} {first.name_en[3:]}"


def test_catalog_title_control_character_is_refused(folder: Path) -> None:
    path = folder / "catalog.yaml"
    text = path.read_text(encoding="utf-8").replace("title_en: ", 'title_en: "\\e" # ', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogFileError, match=r"layers\[0\]\.title_en: control character U\+001B"):
        read_catalog(path)


def test_catalog_title_line_break_becomes_a_space(folder: Path) -> None:
    path = folder / "catalog.yaml"
    first = read_catalog(path).layers
    lid = next(iter(first))
    text = path.read_text(encoding="utf-8").replace("title_en: ", 'title_en: "A\\nB" # ', 1)
    path.write_text(text, encoding="utf-8")
    assert read_catalog(path)[lid].title_en == "A B"


def test_ledger_lone_surrogate_is_refused(folder: Path) -> None:
    path = folder / "claims.csv"
    raw = path.read_bytes()
    head, _, rest = raw.partition(b"\n")
    path.write_bytes(head + b"\n" + rest.replace(b",", b"\xed\xa0\x80,", 1))  # UTF-8 of U+D800
    with pytest.raises(LedgerFileError) as info:
        read_ledger(path)
    assert str(info.value).startswith(f"{path}: line 2: not UTF-8")


def test_ledger_control_character_names_row_and_column(folder: Path) -> None:
    path = folder / "claims.csv"
    head, _, rest = path.read_text(encoding="utf-8").partition("\n")
    path.write_text(head + "\n" + rest.replace(",", "\x1b,", 1), encoding="utf-8")
    with pytest.raises(LedgerFileError, match=r"row 2, column claim_id: control character"):
        read_ledger(path)


def test_poi_json_lone_surrogate_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "pois.json"
    path.write_text('{"pois": [{"name": "a\\ud800b", "location": "106.46,29.56"}]}')
    with pytest.raises(LayerValidationError) as info:
        read_points(path, "gcj02")
    (problem,) = info.value.problems
    assert problem.feature_id == "pois[0].name"
    assert problem.problem == "lone surrogate U+D800 at character 2"


def test_poi_csv_control_character_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pois.csv"
    path.write_text("name,lon,lat\na\x07b,106.46,29.56\n", encoding="utf-8")
    with pytest.raises(LayerValidationError) as info:
        read_points(path, "wgs84")
    (problem,) = info.value.problems
    assert (problem.feature_id, problem.problem) == (
        "row 2",
        "column name: control character U+0007 at character 2",
    )


def test_poi_names_lose_bom_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "pois.json"
    doc = {"pois": [{"name": "\ufeff重庆\n大学", "location": "106.4662,29.5665"}]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert read_points(path, "gcj02").points.loc[0, "name"] == "重庆 大学"
