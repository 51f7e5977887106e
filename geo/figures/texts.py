"""The words every figure carries, on the web and in print: its source line and schematic note."""

from __future__ import annotations

__all__ = [
    "PLAN_SOURCE_EN",
    "PLAN_SOURCE_ZH",
    "PLAN_TITLE_ZH",
    "SCHEMATIC_NOTE",
]


#: The plan, as the source line names it (title and period; the text it comes from
#: carries no issue date).
PLAN_TITLE_ZH = "《重庆市沙坪坝区“十四五”科技创新发展规划（修订版）》"
PLAN_SOURCE_ZH = f"资料来源：{PLAN_TITLE_ZH}，规划期 2021—2025 年（文本未载印发日期）"
PLAN_SOURCE_EN = (
    "Source: Shapingba District 14th Five-Year Science and Technology Innovation "
    "Development Plan (revised), plan period 2021–2025; the text carries no issue date."
)


#: Schematic note of every map's source line.
SCHEMATIC_NOTE = (
    "虚线图形为示意，仅表示空间关系，不代表实测边界。"
    " Dashed shapes are schematic: they show relations, not surveyed footprints."
)
