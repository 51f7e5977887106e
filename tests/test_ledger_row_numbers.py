"""A broken cell of ``claims.csv`` is named at its row in the file, blank lines counted."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from test_corrupt_matrix import data, pristine  # noqa: F401  (fixtures)

from geo.cli import main


def test_a_bad_number_after_a_blank_line_names_its_row_in_the_file(
    data: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = data / "claims.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[2][rows[0].index("value_si_low")] = "ten"  # the second claim, row 3 of the file
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], rows[1], [], *rows[2:]])
    path.write_text(out.getvalue(), encoding="utf-8")  # a blank row 3 moves it to row 4
    monkeypatch.setenv("GEO_LAYERS_DIR", str(data))
    assert main(["claims"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"geo claims: error: {path}: row 4, column value_si_low: 'ten' is not")
    assert "; fix: " in line
