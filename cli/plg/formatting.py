"""Rendering KPI rows for people (aligned tables, Markdown) and machines (CSV, JSON).

Every format renders the same rows; only the presentation differs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any, Iterable

from plg.marts import Kpi

FORMATS = ("table", "markdown", "csv", "json")


def display_value(column: str, value: Any) -> str:
    """A cell as a person reads it: rates with one decimal and %, money with cents."""
    if value is None:
        return "-" if column.endswith("_pct") or column == "arpa" else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if column.endswith("_pct"):
        return f"{float(value):.1f}%"
    if isinstance(value, (Decimal, float)):
        return f"{float(value):,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine_value(value: Any) -> Any:
    """A cell for JSON/CSV: dates as ISO text, decimals as exact text, floats as they are."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _is_numeric(column: str, rows: list[dict[str, Any]]) -> bool:
    return any(isinstance(row.get(column), (int, float, Decimal)) and not isinstance(row.get(column), bool) for row in rows)


def _note(kpi: Kpi, row: dict[str, Any]) -> str:
    if kpi.name == "upgrade_rate" and row.get("open_window_users"):
        return "provisional"
    return ""


SPARK_CHARACTERS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """A one-line trend: one block character per value, scaled between the smallest and largest
    value; a missing value is a space."""
    present = [value for value in values if value is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = high - low
    steps = len(SPARK_CHARACTERS) - 1
    return "".join(
        " " if value is None else SPARK_CHARACTERS[round((value - low) / span * steps) if span else steps // 2]
        for value in values
    )


def trend(kpi: Kpi, rows: list[dict[str, Any]]) -> str:
    """The sparkline of the KPI's trend column over its periods, oldest first."""
    if kpi.trend_column is None or not rows:
        return ""
    totals: dict[Any, float | None] = {}
    for row in rows:
        value = row.get(kpi.trend_column)
        period = row.get(kpi.period_column)
        if value is None:
            totals.setdefault(period, None)
            continue
        totals[period] = (totals.get(period) or 0.0) + float(value)
    periods = sorted(totals)
    line = sparkline([totals[period] for period in periods])
    return f"{line}  {periods[0]} to {periods[-1]}" if line else ""


def render_table(kpi: Kpi, rows: list[dict[str, Any]], markdown: bool = False) -> str:
    """An aligned text table (or a Markdown table) of the KPI's columns."""
    columns = list(kpi.columns)
    notes = [_note(kpi, row) for row in rows]
    with_notes = any(notes)
    header = columns + (["note"] if with_notes else [])
    cells = [[display_value(column, row.get(column)) for column in columns] + ([note] if with_notes else []) for row, note in zip(rows, notes)]
    widths = [max([len(name)] + [len(line[index]) for line in cells]) for index, name in enumerate(header)]
    numeric = [_is_numeric(column, rows) for column in columns] + ([False] if with_notes else [])

    def line(values: Iterable[str]) -> str:
        parts = [value.rjust(width) if is_number else value.ljust(width) for value, width, is_number in zip(values, widths, numeric)]
        return ("| " + " | ".join(parts) + " |") if markdown else "  ".join(parts).rstrip()

    out = [f"## {kpi.title}" if markdown else kpi.title, ""]
    if not markdown:
        out = [kpi.title, "=" * len(kpi.title)]
    spark = trend(kpi, rows)
    if spark:
        out.append(f"trend: {spark}")
        out.append("")
    if not rows:
        out.append("(no rows)")
        return "\n".join(out)
    out.append(line(header))
    if markdown:
        out.append("| " + " | ".join(("-" * (width - 1) + ":") if is_number else "-" * width for width, is_number in zip(widths, numeric)) + " |")
    else:
        out.append("  ".join("-" * width for width in widths))
    out.extend(line(values) for values in cells)
    if with_notes:
        out.append("")
        out.append("provisional: some users' upgrade windows had not closed by the latest data; the rate may still rise.")
    return "\n".join(out)


def render(report: list[tuple[Kpi, list[dict[str, Any]]]], fmt: str) -> str:
    """The whole report in one format."""
    if fmt == "json":
        payload = {
            kpi.name: {"mart": kpi.mart, "title": kpi.title, "rows": [{key: machine_value(value) for key, value in row.items()} for row in rows]}
            for kpi, rows in report
        }
        return json.dumps(payload, indent=2)
    if fmt == "csv":
        blocks = []
        for kpi, rows in report:
            buffer = io.StringIO()
            if len(report) > 1:
                buffer.write(f"# {kpi.mart}\n")
            columns = list(rows[0].keys()) if rows else list(kpi.columns)
            writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({key: machine_value(value) for key, value in row.items()})
            blocks.append(buffer.getvalue())
        return "\n".join(blocks).rstrip("\n")
    markdown = fmt == "markdown"
    return "\n\n".join(render_table(kpi, rows, markdown=markdown) for kpi, rows in report)
