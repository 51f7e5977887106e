"""Build the plan's point layers from the hand-checked row tables in ``scripts/plan_rows/``.

Each CSV under ``scripts/plan_rows/`` holds one layer, one row per feature, with the
names written exactly as the plan writes them and a ``refs`` column that says where
(``L<line> 表N row K``). This script turns those rows into the GeoJSON files under
``layers/`` so that a reviewer can diff the rows against the plan rather than the JSON.

Every feature is a point that names a gazetteer ``place`` and carries
``"geometry": null``; the layer loader takes the point from ``layers/gazetteer.csv``
(docs/contract.md). The feature's own ``accuracy_m`` is the extra uncertainty of
standing at that place (0 when the feature *is* the place).

Numbers the plan writes as text (floor areas, 2025 output, investments) are parsed
here into SI or plan units and kept beside the raw text, so that both can be checked.

Usage::

    python scripts/build_plan_layers.py          # write layers/<id>.geojson
    python scripts/build_plan_layers.py --check  # exit 1 if a file is out of date
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROWS_DIR = ROOT / "scripts" / "plan_rows"
LAYERS_DIR = ROOT / "layers"
PLAN_FILE = "002_8a077782b689f185.txt"

#: Columns every row table has, in output order.
COMMON = ("id", "name_zh", "name_en", "kind", "refs", "place", "accuracy_m", "place_note")
#: Columns parsed as integers.
INT_COLUMNS = frozenset({"row", "row_printed", "item", "table"})
#: Columns holding ``|``-separated lists.
LIST_COLUMNS = frozenset({"tags"})

#: One 亿 (hundred million) yuan, in yuan.
YI = 1e8


def plan_ref(refs: str) -> str:
    """Expand a ``refs`` cell into a ``plan_ref`` value.

    Parameters
    ----------
    refs : str
        ``;``-separated references. A reference starting with ``L<line>`` is a line
        of the plan and gets the plan's file name in front; any other reference is
        kept as written (it already names its file).

    Returns
    -------
    str
        References in the ``file:Lline table row`` form, separated by ``"; "``.

    Examples
    --------
    >>> plan_ref("L342 表3 row 1 item 2; L551")
    '002_8a077782b689f185.txt:L342 表3 row 1 item 2; 002_8a077782b689f185.txt:L551'
    """
    parts = [p.strip() for p in refs.split(";") if p.strip()]
    return "; ".join(f"{PLAN_FILE}:{p}" if re.match(r"^L\d+", p) else p for p in parts)


def parse_area_m2(text: str | None) -> float | None:
    """Parse a floor-area text such as ``"50000 平方米"`` or ``"28.5 万平方米"`` into m².

    Parameters
    ----------
    text : str or None
        The plan's text; empty or ``None`` means the table gives no area.

    Returns
    -------
    float or None
        Area in square metres, or ``None`` when there is no number.
    """
    if not text:
        return None
    m = re.search(r"([\d.]+)\s*(万)?\s*(平方米|m²|㎡)", text)
    if m is None:
        return None
    value = float(m.group(1))
    return value * 1e4 if m.group(2) else value


def parse_output_cny(text: str | None) -> float | None:
    """Parse an output text such as ``"12 亿"`` (hundred-million yuan) into yuan.

    Parameters
    ----------
    text : str or None
        The plan's text.

    Returns
    -------
    float or None
        Output in yuan (CNY), or ``None`` when there is no number.
    """
    if not text:
        return None
    m = re.search(r"([\d.]+)\s*亿", text)
    return float(m.group(1)) * YI if m else None


def parse_yi(text: str | None) -> float | None:
    """Parse an investment cell of Table 15 (in 亿元) into a number.

    Parameters
    ----------
    text : str or None
        The cell as printed. Empty cells and ``--`` mean "no amount". The plan
        prints row 30's 2023-2025 amount as ``.0.30``; a doubled leading point is
        read as the obvious ``0.30`` (the row's subtotal 0.50 = 0.20 + 0.30 agrees).

    Returns
    -------
    float or None
        The amount in 亿元, or ``None`` when the cell gives none.

    Raises
    ------
    ValueError
        If the cell holds something that is not an amount.
    """
    if text is None:
        return None
    t = text.strip()
    if t in {"", "--", "—", "——"}:
        return None
    t = re.sub(r"^\.(?=\d+\.\d+$)", "", t)  # ".0.30" -> "0.30" (misprint)
    if not re.fullmatch(r"\d+(\.\d+)?", t):
        raise ValueError(f"not an investment amount: {text!r}")
    return float(t)


def parse_period(text: str | None) -> tuple[int | None, int | None]:
    """Split a period such as ``"2019-2023"`` or ``"2020—2025"`` into its years.

    Parameters
    ----------
    text : str or None
        The plan's text.

    Returns
    -------
    tuple of (int or None, int or None)
        Start and end year.
    """
    years = re.findall(r"(?:19|20)\d\d", text or "")
    if len(years) != 2:
        return None, None
    return int(years[0]), int(years[1])


def _cast(column: str, value: str) -> Any:
    if value == "":
        return [] if column in LIST_COLUMNS else None
    if column in INT_COLUMNS:
        return int(value)
    if column == "accuracy_m":
        return float(value)
    if column in LIST_COLUMNS:
        return [v for v in value.split("|") if v]
    return value


def _carrier_extras(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "floor_area_m2": parse_area_m2(props.get("floor_area_text")),
        "output_2025_cny": parse_output_cny(props.get("output_text")),
    }


def _project_extras(props: dict[str, Any]) -> dict[str, Any]:
    start, end = parse_period(props.get("period_text"))
    return {
        "period_start": start,
        "period_end": end,
        "invest_total_yi": parse_yi(props.get("invest_total_text")),
        "invest_2021_2022_yi": parse_yi(props.get("invest_2021_2022_text")),
        "invest_2023_2025_yi": parse_yi(props.get("invest_2023_2025_text")),
        "invest_14th_fyp_yi": parse_yi(props.get("invest_14th_fyp_text")),
    }


#: Layer id -> function adding parsed properties to a feature (or None).
LAYERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]] | None] = {
    "campuses": None,
    "rd_platforms": None,
    "transformation_platforms": None,
    "industrial_platforms": None,
    "carriers": _carrier_extras,
    "projects": _project_extras,
    "cancer_resources": None,
    "science_parks": None,
    "smart_scenes": None,
    "incubator_members": None,
    "ring_members": None,
}


def read_rows(layer_id: str, rows_dir: Path = ROWS_DIR) -> list[dict[str, str]]:
    """Read the row table of one layer.

    Parameters
    ----------
    layer_id : str
        Layer id; the table is ``<rows_dir>/<layer_id>.csv``.
    rows_dir : Path
        Directory of the row tables.

    Returns
    -------
    list of dict
        One mapping of column to cell text per row.

    Raises
    ------
    ValueError
        If a common column is missing.
    """
    path = rows_dir / f"{layer_id}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COMMON if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {missing}")
        return [dict(r) for r in reader]


def build_feature(
    row: dict[str, str], extras: Callable[[dict[str, Any]], dict[str, Any]] | None
) -> dict[str, Any]:
    """Turn one table row into a GeoJSON feature with a ``place`` and no geometry.

    Parameters
    ----------
    row : dict
        Column to cell text.
    extras : callable or None
        Adds parsed properties (numbers from text) to the feature.

    Returns
    -------
    dict
        A GeoJSON Feature.
    """
    cells = {k: _cast(k, (v or "").strip()) for k, v in row.items()}
    props: dict[str, Any] = {
        "id": cells["id"],
        "name_zh": cells["name_zh"],
        "name_en": cells["name_en"],
        "kind": cells["kind"],
        "plan_ref": plan_ref(cells["refs"] or ""),
        # The loader fills geometry_source from the gazetteer entry of `place`.
        "geometry_source": None,
        "accuracy_m": cells["accuracy_m"],
        "place": cells["place"],
        "place_note": cells["place_note"],
    }
    props.update({k: v for k, v in cells.items() if k not in COMMON})
    if extras is not None:
        props.update(extras(props))
    return {"type": "Feature", "properties": props, "geometry": None}


def build_layer(layer_id: str, rows_dir: Path = ROWS_DIR) -> dict[str, Any]:
    """Build the FeatureCollection of one layer from its row table.

    Parameters
    ----------
    layer_id : str
        One of :data:`LAYERS`.
    rows_dir : Path
        Directory of the row tables.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection.
    """
    extras = LAYERS[layer_id]
    features = [build_feature(r, extras) for r in read_rows(layer_id, rows_dir)]
    return {"type": "FeatureCollection", "name": layer_id, "features": features}


def dumps(collection: dict[str, Any]) -> str:
    """Serialise a collection the way the committed files are written (UTF-8, one feature a line).

    Parameters
    ----------
    collection : dict
        A GeoJSON FeatureCollection.

    Returns
    -------
    str
        The file text.
    """
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False) for f in collection["features"]]
    body = ",\n".join(lines)
    head_text = json.dumps(head, ensure_ascii=False)[:-1]
    return f'{head_text}, "features": [\n{body}\n]}}\n'


def _write_atomic(path: Path, text: str) -> None:
    # Write to a temporary file in the same directory and rename it into place,
    # so a failed run never leaves a half-written layer behind.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Build (or check) every plan layer.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; ``--check`` compares instead of writing.

    Returns
    -------
    int
        Exit status: 0 on success, 1 if ``--check`` found a stale file.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; fail if stale")
    args = parser.parse_args(argv)
    stale = []
    for layer_id in LAYERS:
        text = dumps(build_layer(layer_id))
        path = LAYERS_DIR / f"{layer_id}.geojson"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        _write_atomic(path, text)
        print(f"wrote {path.relative_to(ROOT)} ({text.count(chr(10)) - 2} features)")
    if stale:
        print("out of date (run scripts/build_plan_layers.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
