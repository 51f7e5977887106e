"""Catalog edits by `geo add-layer` keep every comment line and every untouched entry.

The edits are checked on the project's own ``layers/catalog.yaml`` (read, never
written) and, through :func:`geo.gis.registry.add_layer`, on a copy of the test catalog.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from geo.gis.registry import PropertyDefaults, add_layer, catalog_text_with_entry
from geo.gis.registry.catalog_yaml import round_trip_with_entry

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "layers" / "catalog.yaml"
DRAW = Path(__file__).parent / "data" / "gis" / "draw_export.geojson"

NEW_ENTRY = {
    "id": "sketch",
    "title_zh": "草图",
    "title_en": "Sketch",
    "geometry_type": "Point",
    "file": "sketch.geojson",
    "crs": "wgs84",
    "role": "site",
    "group": "新增图层 Added layers",
    "figures": [3],
    "style": "sketch",
    "kind_field": "kind",
    "provenance": "drawn by hand",
}


def comment_lines(text: str) -> list[str]:
    """Every full-line comment, in order."""
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def entry_blocks(text: str) -> dict[str, str]:
    """Text of each ``layers`` item by id: its ``- id:`` line up to the next item or comment."""
    blocks: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines(keepends=True):
        item = re.match(r"^  - id: (\S+)", line)
        if item:
            current = item.group(1)
            blocks[current] = ""
        elif re.match(r"^\s{0,2}(#|\S)", line):
            current = None  # a comment or key at list level ends the item
        if current is not None:
            blocks[current] += line
    return blocks


def test_adding_to_the_project_catalog_appends_and_keeps_every_line() -> None:
    before = CATALOG.read_text(encoding="utf-8")
    after, rewritten = catalog_text_with_entry(before, NEW_ENTRY, replace=False)
    assert not rewritten
    assert after.startswith(before)
    assert comment_lines(after) == comment_lines(before)
    assert after[len(before) :] == (
        "  - id: sketch\n"
        "    title_zh: 草图\n"
        "    title_en: Sketch\n"
        "    geometry_type: Point\n"
        "    file: sketch.geojson\n"
        "    crs: wgs84\n"
        "    role: site\n"
        "    group: 新增图层 Added layers\n"
        "    figures: [3]\n"
        "    style: sketch\n"
        "    kind_field: kind\n"
        "    provenance: drawn by hand\n"
    )


@pytest.mark.parametrize("layer_id", ["district", "neighbours", "campuses"])
def test_replacing_in_the_project_catalog_keeps_comments_and_other_entries(layer_id) -> None:
    before = CATALOG.read_text(encoding="utf-8")
    entry = {**NEW_ENTRY, "id": layer_id, "title_en": "Replaced"}
    after, rewritten = catalog_text_with_entry(before, entry, replace=True)
    assert not rewritten
    assert comment_lines(after) == comment_lines(before)
    old, new = entry_blocks(before), entry_blocks(after)
    assert list(new) == list(old)  # same entries, same order
    assert len(old) > 10
    for other in old:
        if other != layer_id:
            assert new[other] == old[other], other
    assert new[layer_id] != old[layer_id]
    (replaced,) = [e for e in yaml.safe_load(after)["layers"] if e["id"] == layer_id]
    assert replaced == entry


def test_a_section_comment_after_the_replaced_entry_stays_in_place() -> None:
    before = CATALOG.read_text(encoding="utf-8")
    entry = {**NEW_ENTRY, "id": "neighbours"}
    after, _ = catalog_text_with_entry(before, entry, replace=True)
    section = (
        "  # ------------------------------------------------------------------ axes and terrain\n"
    )
    block = entry_blocks(after)["neighbours"]
    assert after.index(block) + len(block) == after.index(section)
    assert after[after.index(section) + len(section) :].startswith("  - id: axes\n")


def test_comments_after_the_list_stay_with_what_follows() -> None:
    text = (
        "version: 1\n"
        "layers:\n"
        "- id: a  # first\n"
        "  title_zh: 甲\n"
        "  figures: [1, 2]\n"
        "\n"
        "# trailing settings\n"
        "extra: {keep: true}\n"
    )
    entry = {"id": "b", "title_zh": "乙", "figures": [3]}
    assert round_trip_with_entry(text, entry, replace=False) == (
        "version: 1\n"
        "layers:\n"
        "- id: a  # first\n"
        "  title_zh: 甲\n"
        "  figures: [1, 2]\n"
        "- id: b\n"
        "  title_zh: 乙\n"
        "  figures: [3]\n"
        "\n"
        "# trailing settings\n"
        "extra: {keep: true}\n"
    )


def test_replacing_keeps_key_order_quoting_and_end_of_line_comments() -> None:
    text = (
        "layers:\n"
        "  - id: a\n"
        "    title_en: 'Old'  # a changed value keeps its quotes\n"
        '    provenance: "kept: quoted"\n'
        "    figures: [1]\n"
        "    style: gone\n"
        "  # next\n"
        "  - id: b\n"
    )
    entry = {"id": "a", "title_en": "New", "provenance": "kept: quoted", "figures": [1, 2]}
    assert round_trip_with_entry(text, entry, replace=True) == (
        "layers:\n"
        "  - id: a\n"
        "    title_en: 'New'  # a changed value keeps its quotes\n"
        '    provenance: "kept: quoted"\n'
        "    figures: [1, 2]\n"
        "  # next\n"
        "  - id: b\n"
    )


def test_text_the_round_trip_cannot_read_is_dumped_again_and_says_so() -> None:
    # PyYAML takes the last of two equal keys; the round trip refuses them
    text = "version: 1\nversion: 1\nlayers:\n  - id: a  # lost\n"
    entry = {"id": "b"}
    assert round_trip_with_entry(text, entry, replace=False) is None


def test_add_layer_replace_keeps_every_comment_and_the_other_entries(gis_layers, tmp_path):
    cat = gis_layers / "catalog.yaml"
    before = cat.read_text(encoding="utf-8")
    defaults = PropertyDefaults("k", "p:L1", "schematic", 400)
    add_layer(DRAW, "sketch", "草图", "Sketch", "wgs84", defaults=defaults)
    added = cat.read_text(encoding="utf-8")
    assert added.startswith(before)
    src = tmp_path / "sites.csv"
    src.write_text("name_zh,name_en,lon,lat,cluster\n甲,A,106.31,29.6,east\n", encoding="utf-8")
    result = add_layer(
        src, "sites", "新站点", "New sites", "wgs84", defaults=defaults, replace=True
    )
    after = cat.read_text(encoding="utf-8")
    assert not result.catalog_rewritten
    assert comment_lines(after) == comment_lines(before)
    assert "# Comments here must survive `geo add-layer`." in comment_lines(after)
    old, new = entry_blocks(added), entry_blocks(after)
    assert list(new) == ["district", "sites", "clusters", "sketch"]
    for other in ("district", "clusters", "sketch"):
        assert new[other] == old[other], other
    assert "    title_en: New sites\n" in new["sites"]


@pytest.mark.parametrize("empty", ["layers: []\n", "layers:\n"])
def test_the_first_entry_of_an_empty_catalog_is_a_block_list(empty):
    text = "# layers come below\nversion: 1\n" + empty
    assert round_trip_with_entry(text, {"id": "a", "figures": [1]}, replace=False) == (
        "# layers come below\nversion: 1\nlayers:\n  - id: a\n    figures: [1]\n"
    )
