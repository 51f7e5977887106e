"""KML export: one document, a folder per layer, every placemark styled by its class."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

import pytest

from geo.gis.exchange import write_kml
from geo.project import Project

NS = {"k": "http://www.opengis.net/kml/2.2"}


@pytest.fixture(scope="module")
def kml(tmp_path_factory):
    project = Project()
    catalog, layers = project.catalog, project.layers()
    out = write_kml(layers, catalog, tmp_path_factory.mktemp("kml") / "shapingba.kml")
    return ET.parse(out).getroot(), catalog, layers


def test_one_document_and_a_folder_per_layer(kml):
    root, catalog, layers = kml
    assert len(root.findall(".//k:Document", NS)) == 1
    folders = root.findall("k:Document/k:Folder", NS)
    assert [f.findtext("k:name", namespaces=NS) for f in folders] == [
        s.id for s in catalog if s.id in layers
    ]
    for folder in folders:
        lid = folder.findtext("k:name", namespaces=NS)
        placed = layers[lid][layers[lid].geometry.notna()]
        assert len(folder.findall("k:Placemark", NS)) == len(placed), lid


def test_every_placemark_names_a_style_of_the_document(kml):
    root, _, _ = kml
    styles = {s.get("id"): s for s in root.findall("k:Document/k:Style", NS)}
    marks = root.findall(".//k:Placemark", NS)
    assert len(marks) > 200
    for mark in marks:
        url = mark.findtext("k:styleUrl", namespaces=NS)
        assert url is not None, mark.findtext("k:name", namespaces=NS)
        assert url.startswith("#")
        assert url[1:] in styles, url


def test_one_style_per_class_in_its_own_colour(kml):
    root, _, layers = kml
    styles = {s.get("id"): s for s in root.findall("k:Document/k:Style", NS)}
    folder = next(
        f
        for f in root.findall("k:Document/k:Folder", NS)
        if f.findtext("k:name", namespaces=NS) == "rd_platforms"
    )
    by_kind: dict[str, set[str]] = defaultdict(set)
    for mark in folder.findall("k:Placemark", NS):
        kind = mark.find("k:ExtendedData/k:SchemaData/k:SimpleData[@name='kind']", NS).text
        by_kind[kind].add(mark.findtext("k:styleUrl", namespaces=NS))
    assert len(by_kind) == layers["rd_platforms"]["kind"].nunique() > 3
    assert all(len(urls) == 1 for urls in by_kind.values())  # one style per class
    colours = {
        styles[next(iter(urls))[1:]].findtext("k:IconStyle/k:color", namespaces=NS)
        for urls in by_kind.values()
    }
    assert len(colours) == len(by_kind)  # no two classes share a colour
