"""The print font: the first CJK family an office has, or one line saying what to install."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from matplotlib import font_manager

from geo.errors import MissingDependencyError
from geo.printing.fonts import cjk_family


def _fonts(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    entries = [SimpleNamespace(name=n, fname=f"/fonts/{n}.ttf") for n in names]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", entries)


#: What a machine has, and the family the prints take: Noto / Source Han first, then
#: the Windows fonts (Microsoft YaHei, SimHei, SimSun), then macOS's PingFang.
OFFICES = [
    (("DejaVu Sans", "SimSun", "Microsoft YaHei", "Noto Sans CJK SC"), "Noto Sans CJK SC"),
    (("Source Han Sans SC", "SimHei"), "Source Han Sans SC"),
    (("DejaVu Sans", "SimSun", "SimHei", "Microsoft YaHei"), "Microsoft YaHei"),
    (("Arial", "SimSun", "SimHei"), "SimHei"),
    (("Arial", "SimSun"), "SimSun"),
    (("Helvetica", "PingFang SC"), "PingFang SC"),
]


def test_noto_first_then_the_windows_and_macos_fonts(monkeypatch):
    chosen = []
    for installed, _ in OFFICES:
        _fonts(monkeypatch, *installed)
        chosen.append(cjk_family())
    assert chosen == [want for _, want in OFFICES]


def test_without_a_cjk_font_one_line_says_what_to_install(monkeypatch):
    _fonts(monkeypatch, "DejaVu Sans", "Arial")
    with pytest.raises(MissingDependencyError) as err:
        cjk_family()
    message = str(err.value)
    assert "\n" not in message
    assert "apt install fonts-noto-cjk" in message
    assert "Windows" in message
    assert "SimHei" in message
    assert "Microsoft YaHei" in message
