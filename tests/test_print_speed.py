"""What keeps printing fast: the print face of the CJK font, the PNGs' zlib level.

The print face is cut in a fresh process with its own cache folder, so the faces
cut here are not those of the other tests (matplotlib's font list is global to a
process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("fontTools")

SCRIPT = r"""
import io, json
from matplotlib.figure import Figure
from pypdf import PdfReader
from geo.printing import Page
from geo.printing.figure import figure_bytes
from geo.printing.fonts import cjk_family, ensure_print_faces, rc_params

family = cjk_family()
first = ensure_print_faces(family)
stamps = [p.stat().st_mtime_ns for p in first]
second = ensure_print_faces(family)
from matplotlib import rc_context
with rc_context(rc_params(family)):
    fig = Figure(figsize=Page().size_in)
    fig.text(0.1, 0.5, "沙坪坝区科技创新 堃", fontsize=20)
reader = PdfReader(io.BytesIO(figure_bytes(fig, "pdf", 72, Page())))
page = reader.pages[0]
fonts = [str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()]
print(json.dumps({
    "first": [str(p) for p in first],
    "second": [str(p) for p in second],
    "kept": stamps == [p.stat().st_mtime_ns for p in second],
    "families": rc_params(family)["font.family"],
    "family": family,
    "fonts": fonts,
    "text": page.extract_text(),
}))
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    return cache, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_each_weight_is_cut_once_into_the_cache_folder(result):
    cache, found = result
    assert len(found["first"]) == 2  # regular and bold
    assert all(p.startswith(str(cache / "shapingba-geo" / "fonts")) for p in found["first"])
    assert found["second"] == found["first"]
    assert found["kept"]  # the second call cut nothing


@pytest.mark.slow
def test_prints_draw_with_the_face_first_and_fall_back_to_the_full_font(result):
    _, found = result
    assert found["families"][:2] == [found["family"] + " Print", found["family"]]
    # 堃 is not in GB 2312: it comes from the full font, the rest from the face
    regular = [f for f in found["fonts"] if "CJK" in f and f.endswith("-Regular")]
    assert len(regular) == 2, found["fonts"]
    assert "沙坪坝区科技创新" in found["text"]
    assert "堃" in found["text"]


def test_pngs_are_written_at_zlib_level_3():
    from matplotlib.figure import Figure

    from geo.printing import Page
    from geo.printing.figure import figure_bytes

    fig = Figure(figsize=Page().size_in)
    fig.text(0.5, 0.5, "Shapingba")
    png = figure_bytes(fig, "png", 30, Page())
    idat = png.index(b"IDAT") + 4
    # the zlib header's FLEVEL bits: 1 for levels 2-5 (0x5E), 2 for the default 6 (0x9C)
    assert png[idat : idat + 2] == b"\x78\x5e"
