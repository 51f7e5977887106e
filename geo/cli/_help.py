"""What every subcommand's ``--help`` says besides its options: its subject and an example.

:data:`SUBJECTS` holds, for each subcommand (``gazetteer match`` for an action), the
Chinese name of what it works on and one example line; :func:`annotate` puts the
name at the head of the subcommand's one-line help and of its description, and the
example in its epilog. A subcommand missing here has no example, which
``tests/test_help.py`` refuses.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["EXAMPLE_HEAD", "SUBJECTS", "HelpFormatter", "annotate"]

#: Chinese name of what each subcommand works on, and an example of it.
SUBJECTS: dict[str, tuple[str, str]] = {
    "claims": ("规划指标核查", "geo claims --strict --xlsx claims.xlsx"),
    "gazetteer": ("地名库", "geo gazetteer match poi.xlsx --sheet 高德 --crs gcj02"),
    "gazetteer match": (
        "地名匹配",
        "geo gazetteer match poi.csv --crs gcj02 --format xlsx --out review.xlsx",
    ),
    "gazetteer apply": (
        "地名坐标更新",
        'geo gazetteer apply poi.csv --crs gcj02 --source "AMap export 2026-05" --dry-run',
    ),
    "gazetteer set": (
        "地名坐标",
        "geo gazetteer set 重庆大学A区 --lon 106.4684 --lat 29.5641 --crs gcj02 "
        '--source "site survey"',
    ),
    "gazetteer locate": ("地名定位页", "geo gazetteer locate --out site/locate.html"),
    "add-layer": (
        "新增图层",
        "geo add-layer sites.xlsx --sheet 站点 --id my_sites --title-zh 站点 "
        "--title-en Sites --crs gcj02",
    ),
    "export": ("图层导出", "geo export --gpkg site/shapingba.gpkg"),
    "init": ("数据副本", "geo init ~/shapingba"),
    "layers": ("图层目录", "geo layers --format xlsx --out layers.xlsx"),
    "validate": ("图层校验", "geo validate my.geojson --crs gcj02"),
    "maps": ("网页地图", "geo maps --out site --offline --basemap none"),
    "area": ("面积", "geo area cities --unit km2 --format xlsx --out area.xlsx"),
    "overlap": ("重叠面积", "geo overlap rings cities --unit ha"),
    "near": ("邻近距离", "geo near projects campuses --k 3"),
    "zones": ("所在片区", "geo zones projects --format csv"),
    "report": ("测量报告", "geo report --out site"),
    "print": ("印刷图件", "geo print --out site/print --figures 2,3"),
    "site": ("成果网站", "geo site --out site"),
    "db": ("共享数据库", "geo db push layers --db postgresql://gis@db.office/shapingba"),
    "db init": ("数据库初始化", "geo db init --db postgresql://gis@db.office/shapingba"),
    "db push": ("数据库载入", "geo db push layers --db postgresql://gis@db.office/shapingba"),
    "db pull": ("数据库导出", 'geo db pull ~/shapingba-review/layers --db "$GEO_DB"'),
}
#: First line of every epilog.
EXAMPLE_HEAD = "example:"


class HelpFormatter(argparse.HelpFormatter):
    """Wrap the description as usual; keep the example lines as they are."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(EXAMPLE_HEAD):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _subparsers(parser: argparse.ArgumentParser) -> Any:
    return next(
        (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)),
        None,
    )


def annotate(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """Give every subcommand of ``parser`` its Chinese name and its example.

    Parameters
    ----------
    parser
        The ``geo`` parser (or a command's, for its actions).
    prefix
        The command the actions belong to (``gazetteer``).
    """
    sub = _subparsers(parser)
    if sub is None:
        return
    lines = {a.dest: a for a in sub._choices_actions}  # the listing's help lines
    for name, child in sub.choices.items():
        key = f"{prefix} {name}".strip()
        annotate(child, key)
        if key not in SUBJECTS:
            continue
        zh, example = SUBJECTS[key]
        line = lines.get(name)
        if line is not None and line.help and not str(line.help).startswith(zh):
            line.help = f"{zh}: {line.help}"
        text = child.description or (line.help if line is not None else "") or ""
        if not str(text).startswith(zh):
            child.description = f"{zh}: {text}"
        child.epilog = f"{EXAMPLE_HEAD}\n  {example}"
        if child.formatter_class is argparse.HelpFormatter:
            child.formatter_class = HelpFormatter
