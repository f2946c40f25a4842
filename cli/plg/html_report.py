"""The KPI report as one self-contained HTML page: a chart per KPI, its definition and data, and
the revenue metric tree of one month.

The page needs nothing but a browser to open: the styles are inline and every chart is an
inline SVG drawn here, with hover text in SVG <title> elements (no script, font or stylesheet
is loaded from anywhere). Like the other formats, it only arranges the rows read from the marts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any, Callable, Iterable, Sequence

from plg.formatting import display_value
from plg.marts import Kpi
from plg.tree import Node, _format as tree_value, _format_change as tree_change

# A categorical palette that stays distinguishable for common colour-vision deficiencies.
PALETTE = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5", "#9c6b4e", "#9498a0")
INK = "#1f2937"

# The MRR bridge: movements that add MRR are drawn above zero, those that remove it below.
MRR_UP = (("new_mrr", "New", "#2f9e5a"), ("reactivation_mrr", "Reactivation", "#6cc5b0"), ("expansion_mrr", "Expansion", "#4269d0"))
MRR_DOWN = (("contraction_mrr", "Contraction", "#efb118"), ("churned_mrr", "Churned", "#e0523f"))
ENDING_COLOUR = "#374151"

WIDTH, HEIGHT = 640, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 18, 18, 42

Formatter = Callable[[float], str]
Section = tuple[Kpi, list[dict[str, Any]]]


# --------------------------------------------------------------------------------------------
# Values and months


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return None if math.isnan(number) else number
    return None


def fmt_pct(value: float) -> str:
    return f"{value:.1f}%"


def fmt_money(value: float) -> str:
    return f"{value:,.2f}"


def _tick_pct(value: float, step: float) -> str:
    return f"{value:.0f}%" if float(step).is_integer() else f"{value:.1f}%"


def _tick_money(value: float, step: float) -> str:
    return f"{value:,.2f}"


def _month(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):  # a datetime too
        return dt.date(value.year, value.month, 1)
    if isinstance(value, str) and len(value) >= 7:
        try:
            return dt.date(int(value[:4]), int(value[5:7]), 1)
        except ValueError:
            return None
    return None


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + 1, 1, 1) if month.month == 12 else dt.date(month.year, month.month + 1, 1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _is_month_row(kpi: Kpi, row: dict[str, Any]) -> bool:
    return kpi.name != "plan_upgrade_rate" or row.get("period_grain", "month") == "month"


def report_months(sections: Sequence[Section]) -> list[dt.date]:
    """Every month from the first to the last that any KPI's rows (month grain) cover."""
    found = [
        month for kpi, rows in sections for row in rows
        if _is_month_row(kpi, row) and (month := _month(row.get(kpi.period_column))) is not None
    ]
    return month_range(min(found), max(found)) if found else []


def _by_month(kpi: Kpi, rows: Iterable[dict[str, Any]]) -> dict[dt.date, dict[str, Any]]:
    return {month: row for row in rows if _is_month_row(kpi, row) and (month := _month(row.get(kpi.period_column)))}


def _humanize(key: Any) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "(none)"


def _column_label(column: str) -> str:
    """A column name as a table header: `upgrade_rate_pct` -> "Upgrade rate %"."""
    words = {"pct": "%", "mrr": "MRR", "arpa": "ARPA", "nrr": "NRR", "grr": "GRR"}
    text = " ".join(words.get(word, word) for word in column.removesuffix("_id").split("_"))
    return text[:1].upper() + text[1:]


def _period_label(kpi: Kpi, row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    month = _month(value)
    if month is None or column != kpi.period_column:
        return display_value(column, value)
    if row.get("period_grain") == "quarter":
        return f"{month.year} Q{(month.month - 1) // 3 + 1}"
    return f"{month:%Y-%m}"


# --------------------------------------------------------------------------------------------
# Scales and axes


def nice_scale(low: float, high: float, count: int = 5) -> tuple[float, float, float]:
    """A domain that covers [low, high] with round tick steps: (low, high, step)."""
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - (pad if low != 0 else 0), high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


@dataclass
class Panel:
    """A plot area: months along x (one band each), a linear value scale along y."""

    left: float
    top: float
    right: float
    bottom: float
    months: list[dt.date]
    low: float
    high: float
    step: float

    @property
    def band(self) -> float:
        return (self.right - self.left) / max(len(self.months), 1)

    def x(self, index: int) -> float:
        return self.left + self.band * (index + 0.5)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)

    def ticks(self) -> list[float]:
        count = int(round((self.high - self.low) / self.step))
        return [self.low + index * self.step for index in range(count + 1)]


def _panel(months: list[dt.date], values: Iterable[float], top: float, bottom: float, include_zero: bool = True,
           reference: float | None = None, ticks: int = 6) -> Panel:
    values = list(values)
    if include_zero:
        values.append(0.0)
    if reference is not None:
        values.append(reference)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if not include_zero and high > low:  # breathing room around a band of values far from zero
        pad = (high - low) * 0.08
        low, high = low - pad, high + pad
    low, high, step = nice_scale(low, high, ticks)
    return Panel(MARGIN_LEFT, top, WIDTH - MARGIN_RIGHT, bottom, months, low, high, step)


def _fit_left(tick: Callable[[float, float], str], *panels: Panel) -> None:
    """Move the plot areas' left edge to leave just enough room for the longest tick label."""
    longest = max(len(tick(value, panel.step)) for panel in panels for value in panel.ticks())
    left = max(44.0, longest * 7.3 + 16)
    for panel in panels:
        panel.left = left


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if not float(value).is_integer() else str(int(value))


def _y_axis(panel: Panel, tick: Callable[[float, float], str], emphasise: float | None = 0.0) -> list[str]:
    out = []
    for value in panel.ticks():
        y = _f(panel.y(value))
        strong = emphasise is not None and abs(value - emphasise) < panel.step / 1000
        out.append(f'<line class="{"zero" if strong else "grid"}" x1="{_f(panel.left)}" x2="{_f(panel.right)}" y1="{y}" y2="{y}"/>')
        out.append(f'<text class="tick" x="{_f(panel.left - 8)}" y="{y}" text-anchor="end" dominant-baseline="middle">'
                   f'{escape(tick(value, panel.step))}</text>')
    return out


def _x_axis(panel: Panel) -> list[str]:
    months = panel.months
    every = max(1, math.ceil(len(months) / max(1, int((panel.right - panel.left) // 36))))
    out = [f'<line class="axis" x1="{_f(panel.left)}" x2="{_f(panel.right)}" y1="{_f(panel.bottom)}" y2="{_f(panel.bottom)}"/>']
    for index, month in enumerate(months):
        if index % every:
            continue
        x = _f(panel.x(index))
        out.append(f'<line class="axis" x1="{x}" x2="{x}" y1="{_f(panel.bottom)}" y2="{_f(panel.bottom + 4)}"/>')
        out.append(f'<text class="tick" x="{x}" y="{_f(panel.bottom + 16)}" text-anchor="middle">{month:%b}</text>')
        if index == 0 or month.month <= every:
            out.append(f'<text class="tick year" x="{x}" y="{_f(panel.bottom + 30)}" text-anchor="middle">{month:%Y}</text>')
    return out


# --------------------------------------------------------------------------------------------
# Charts


@dataclass
class Series:
    label: str
    colour: str
    values: list[float | None]
    provisional: list[bool] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    negated: bool = False  # drawn below zero, but read as a positive amount (contraction, churn)

    def is_provisional(self, index: int) -> bool:
        return bool(self.provisional) and self.provisional[index]


@dataclass
class Chart:
    svg: str
    legend: list[tuple[str, str, str]]  # (kind: line, bar, hollow or net; colour; label)


def _svg(kpi: Kpi, body: list[str], height: int = HEIGHT, label: str = "") -> str:
    aria = escape(label or f"{kpi.title} by month", quote=True)
    return (f'<svg class="chart" data-kpi="{escape(kpi.name, quote=True)}" viewBox="0 0 {WIDTH} {height}" '
            f'preserveAspectRatio="xMidYMid meet" role="img" aria-label="{aria}">'
            f"<title>{aria}</title>" + "".join(body) + "</svg>")


def placeholder(kpi: Kpi, message: str = "No data for this period") -> Chart:
    """A valid, empty chart: a frame and a message where the data would be."""
    height = 180
    body = [
        f'<rect class="placeholder" x="1" y="8" width="{WIDTH - 2}" height="{height - 16}" rx="8"/>',
        f'<text class="empty" x="{WIDTH / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" dominant-baseline="middle">'
        f"{escape(message)}</text>",
    ]
    return Chart(_svg(kpi, body, height, f"{kpi.title}: {message.lower()}"), [])


def _tip(month: dt.date, label: str, text: str, note: str = "") -> str:
    return escape(f"{month:%b %Y} · {label}: {text}" + (f" ({note})" if note else ""))


def _line_marks(panel: Panel, series: Series, fmt: Formatter, area: bool = False) -> list[str]:
    """The series' line (broken at NULLs, dashed into provisional points) and a point per value."""
    out: list[str] = []
    values = series.values
    points = [(index, panel.x(index), panel.y(value)) for index, value in enumerate(values) if value is not None]
    if area:
        runs: list[list[tuple[int, float, float]]] = []
        for point in points:
            if runs and runs[-1][-1][0] == point[0] - 1:
                runs[-1].append(point)
            else:
                runs.append([point])
        base = _f(panel.y(max(panel.low, 0.0)))
        for run in runs:
            if len(run) > 1:
                path = f"M{_f(run[0][1])},{base}" + "".join(f"L{_f(x)},{_f(y)}" for _, x, y in run) + f"L{_f(run[-1][1])},{base}Z"
                out.append(f'<path class="area" d="{path}" fill="{series.colour}"/>')
    # Consecutive pairs of values, grouped into runs of one style (solid, or dashed when provisional).
    runs_by_style: list[tuple[bool, list[tuple[float, float]]]] = []
    for (i, x0, y0), (j, x1, y1) in zip(points, points[1:]):
        if j != i + 1:
            continue
        dashed = series.is_provisional(i) or series.is_provisional(j)
        if runs_by_style and runs_by_style[-1][0] == dashed and runs_by_style[-1][1][-1] == (x0, y0):
            runs_by_style[-1][1].append((x1, y1))
        else:
            runs_by_style.append((dashed, [(x0, y0), (x1, y1)]))
    for dashed, run in runs_by_style:
        path = "M" + "L".join(f"{_f(x)},{_f(y)}" for x, y in run)
        out.append(f'<path class="mark line{" provisional" if dashed else ""}" d="{path}" stroke="{series.colour}"/>')
    radius = 3.4 if len(panel.months) <= 24 else 2.4
    for index, x, y in points:
        hollow = series.is_provisional(index)
        note = series.notes[index] if series.notes else ""
        out.append(
            f'<circle class="mark point{" provisional" if hollow else ""}" cx="{_f(x)}" cy="{_f(y)}" r="{radius}" '
            f'fill="{"#fff" if hollow else series.colour}" stroke="{series.colour}">'
            f"<title>{_tip(panel.months[index], series.label, fmt(values[index]), note)}</title></circle>")
    return out


def line_chart(kpi: Kpi, months: list[dt.date], series: list[Series], fmt: Formatter,
               include_zero: bool = True, reference: tuple[float, str] | None = None,
               tick: Callable[[float, float], str] = _tick_pct, area: bool = False) -> Chart:
    present = [value for one in series for value in one.values if value is not None]
    if not months or not present:
        return placeholder(kpi, "No data for this period" if not months else "No values: every rate is undefined")
    panel = _panel(months, present, MARGIN_TOP, HEIGHT - MARGIN_BOTTOM, include_zero, reference[0] if reference else None)
    _fit_left(tick, panel)
    body: list[str] = []
    provisional = [index for index in range(len(months)) if any(one.is_provisional(index) for one in series)]
    for index in provisional:
        body.append(f'<rect class="provisional-band" x="{_f(panel.x(index) - panel.band / 2)}" y="{_f(panel.top)}" '
                    f'width="{_f(panel.band)}" height="{_f(panel.bottom - panel.top)}"/>')
    if provisional:
        last = provisional[-1]
        body.append(f'<text class="band-label" x="{_f(panel.x(last) + panel.band / 2 - 4)}" y="{_f(panel.top + 12)}" '
                    f'text-anchor="end">provisional</text>')
    body += _y_axis(panel, tick, emphasise=0.0 if include_zero else None)
    if reference is not None:
        y = _f(panel.y(reference[0]))
        body.append(f'<line class="reference" x1="{_f(panel.left)}" x2="{_f(panel.right)}" y1="{y}" y2="{y}"/>')
        body.append(f'<text class="reference-label" x="{_f(panel.left + 6)}" y="{_f(panel.y(reference[0]) - 5)}" '
                    f'text-anchor="start">{escape(reference[1])}</text>')
    body += _x_axis(panel)
    for one in series:
        body += _line_marks(panel, one, fmt, area=area)
    legend = [("line", one.colour, one.label) for one in series]
    if provisional:
        legend += [("hollow", series[0].colour, "Provisional: upgrade windows still open, the rate can still rise")]
    return Chart(_svg(kpi, body), legend)


def _stack(panel: Panel, months: list[dt.date], series: list[Series], fmt: Formatter, width_share: float = 0.64) -> list[str]:
    out = []
    width = panel.band * width_share
    for index, month in enumerate(months):
        up = down = 0.0
        for one in series:
            value = one.values[index]
            if not value:
                continue
            start = up if value > 0 else down
            end = start + value
            if value > 0:
                up = end
            else:
                down = end
            top, bottom = panel.y(max(start, end)), panel.y(min(start, end))
            out.append(
                f'<rect class="mark bar" x="{_f(panel.x(index) - width / 2)}" y="{_f(top)}" width="{_f(width)}" '
                f'height="{_f(max(bottom - top, 0.6))}" fill="{one.colour}">'
                f"<title>{_tip(month, one.label, fmt(-value if one.negated else value))}</title></rect>")
    return out


def stacked_bar_chart(kpi: Kpi, months: list[dt.date], series: list[Series], fmt: Formatter) -> Chart:
    if not months or not series:
        return placeholder(kpi)
    totals_up = [sum(max(one.values[index] or 0.0, 0.0) for one in series) for index in range(len(months))]
    totals_down = [sum(min(one.values[index] or 0.0, 0.0) for one in series) for index in range(len(months))]
    panel = _panel(months, totals_up + totals_down, MARGIN_TOP, HEIGHT - MARGIN_BOTTOM)
    _fit_left(_tick_money, panel)
    body = _y_axis(panel, _tick_money) + _x_axis(panel) + _stack(panel, months, series, fmt)
    y = _f(panel.y(0))
    body.append(f'<line class="zero" x1="{_f(panel.left)}" x2="{_f(panel.right)}" y1="{y}" y2="{y}"/>')
    return Chart(_svg(kpi, body), [("bar", one.colour, one.label) for one in series])


def mrr_chart(kpi: Kpi, months: list[dt.date], rows: dict[dt.date, dict[str, Any]]) -> Chart:
    """Two panels on one month axis: ending MRR as a line above, the movements as bars below
    (new, reactivation and expansion up; contraction and churn down) with the net change."""
    if not months or not rows:
        return placeholder(kpi)
    height = 400

    def column(name: str, sign: float = 1.0) -> list[float | None]:
        return [None if (value := _number(rows.get(month, {}).get(name))) is None else sign * value for month in months]

    ending = Series("Ending MRR", ENDING_COLOUR, column("ending_mrr"))
    bars = [Series(label, colour, column(name)) for name, label, colour in MRR_UP]
    bars += [Series(label, colour, column(name, -1.0), negated=True) for name, label, colour in MRR_DOWN]
    net = [sum(one.values[index] or 0.0 for one in bars) if month in rows else None for index, month in enumerate(months)]

    top = _panel(months, [value for value in ending.values if value is not None], MARGIN_TOP + 14, 140, ticks=3)
    ups = [sum(max(one.values[index] or 0.0, 0.0) for one in bars) for index in range(len(months))]
    downs = [sum(min(one.values[index] or 0.0, 0.0) for one in bars) for index in range(len(months))]
    bottom = _panel(months, ups + downs, 190, height - MARGIN_BOTTOM, ticks=4)
    _fit_left(_tick_money, top, bottom)

    body = [f'<text class="panel-label" x="{_f(top.left)}" y="{_f(MARGIN_TOP)}">Ending MRR</text>']
    body += _y_axis(top, _tick_money, emphasise=None)
    body += _line_marks(top, ending, fmt_money, area=True)
    body.append(f'<text class="panel-label" x="{_f(bottom.left)}" y="{_f(bottom.top - 14)}">Movements in the month</text>')
    body += _y_axis(bottom, _tick_money) + _x_axis(bottom) + _stack(bottom, months, bars, fmt_money)
    y = _f(bottom.y(0))
    body.append(f'<line class="zero" x1="{_f(bottom.left)}" x2="{_f(bottom.right)}" y1="{y}" y2="{y}"/>')
    tick = bottom.band * 0.42
    for index, value in enumerate(net):
        if value is None:
            continue
        x, y = bottom.x(index), bottom.y(value)
        body.append(f'<path class="mark net" d="M{_f(x - tick)},{_f(y)}L{_f(x + tick)},{_f(y)}">'
                    f"<title>{_tip(months[index], 'Net change', f'{value:+,.2f}')}</title></path>")
    legend = [("line", ENDING_COLOUR, "Ending MRR")] + [("bar", one.colour, one.label) for one in bars]
    legend.append(("net", INK, "Net change (ending − starting)"))
    return Chart(_svg(kpi, body, height, "MRR movements and ending MRR by month"), legend)


# --------------------------------------------------------------------------------------------
# One chart per KPI


def _category_series(months: list[dt.date], kpi: Kpi, rows: list[dict[str, Any]], category: str, value: str,
                     colours: dict[str, str] | None = None, label: Callable[[str], str] = _humanize) -> list[Series]:
    order = list(colours or {})  # known categories first, in the order given; then the rest by name
    keys = sorted({str(row.get(category)) for row in rows if _is_month_row(kpi, row)},
                  key=lambda key: (order.index(key) if key in order else len(order), key))
    cells = {(str(row.get(category)), _month(row.get(kpi.period_column))): _number(row.get(value))
             for row in rows if _is_month_row(kpi, row)}
    return [Series(label(key), (colours or {}).get(key, PALETTE[index % len(PALETTE)]),
                   [cells.get((key, month)) for month in months])
            for index, key in enumerate(keys)]


def chart_for(kpi: Kpi, rows: list[dict[str, Any]], months: list[dt.date]) -> Chart:
    if not rows or not months:
        return placeholder(kpi)
    by_month = _by_month(kpi, rows)
    if kpi.name == "upgrade_rate":
        open_users = [int(_number(by_month.get(month, {}).get("open_window_users")) or 0) for month in months]
        series = Series("Upgrade rate", PALETTE[0], [_number(by_month.get(month, {}).get("upgrade_rate_pct")) for month in months],
                        provisional=[count > 0 for count in open_users],
                        notes=[f"provisional: {count:,} users' windows still open" if count else "" for count in open_users])
        return line_chart(kpi, months, [series], fmt_pct)
    if kpi.name == "intent_signal_rate":
        series = Series("Signal rate", PALETTE[0], [_number(by_month.get(month, {}).get("signal_rate_pct")) for month in months])
        return line_chart(kpi, months, [series], fmt_pct)
    if kpi.name == "plan_upgrade_rate":
        # Labelled with the plan id, as the table and the metric tree show it.
        series = _category_series(months, kpi, rows, "from_plan_id", "upgrade_rate_pct", label=lambda key: f"from {key}")
        return line_chart(kpi, months, series, fmt_pct)
    if kpi.name == "upsell_revenue":
        return stacked_bar_chart(kpi, months, _category_series(months, kpi, rows, "upsell_type", "upsell_revenue"), fmt_money)
    if kpi.name == "expansion_revenue":
        colours = {"tier_upgrade": PALETTE[0], "seat_expansion": PALETTE[3], "other_expansion": PALETTE[1]}
        return stacked_bar_chart(kpi, months, _category_series(months, kpi, rows, "expansion_type", "expansion_revenue", colours), fmt_money)
    if kpi.name == "mrr_movements":
        return mrr_chart(kpi, months, by_month)
    if kpi.name == "net_revenue_retention":
        series = [Series("NRR", PALETTE[0], [_number(by_month.get(month, {}).get("nrr_pct")) for month in months]),
                  Series("GRR", PALETTE[1], [_number(by_month.get(month, {}).get("grr_pct")) for month in months])]
        return line_chart(kpi, months, series, fmt_pct, include_zero=False, reference=(100.0, "100%"))
    if kpi.name == "arpa":
        series = Series("ARPA", PALETTE[0], [_number(by_month.get(month, {}).get("arpa")) for month in months])
        return line_chart(kpi, months, [series], fmt_money, tick=_tick_money, area=True)
    return _generic_chart(kpi, rows, months)


def _generic_chart(kpi: Kpi, rows: list[dict[str, Any]], months: list[dt.date]) -> Chart:
    """A KPI this module has no dedicated chart for: its first rate or money column as a line."""
    by_month = _by_month(kpi, rows)
    for column in kpi.columns:
        values = [_number(by_month.get(month, {}).get(column)) for month in months]
        if column != kpi.period_column and any(value is not None for value in values):
            series = [Series(_humanize(column), PALETTE[0], values)]
            if column.endswith("_pct"):
                return line_chart(kpi, months, series, fmt_pct)
            return line_chart(kpi, months, series, fmt_money, tick=_tick_money)
    return placeholder(kpi)


# --------------------------------------------------------------------------------------------
# HTML


def _legend(items: list[tuple[str, str, str]]) -> str:
    if not items:
        return ""
    parts = []
    for kind, colour, label in items:
        if kind == "bar":
            swatch = f'<svg class="swatch" viewBox="0 0 14 14"><rect x="1" y="1" width="12" height="12" rx="2" fill="{colour}"/></svg>'
        elif kind == "hollow":
            swatch = (f'<svg class="swatch wide" viewBox="0 0 28 14"><path d="M1,7L14,7" stroke="{colour}" stroke-width="2" '
                      f'stroke-dasharray="4 3" fill="none"/><circle cx="20" cy="7" r="4" fill="#fff" stroke="{colour}" stroke-width="2"/></svg>')
        elif kind == "net":
            swatch = f'<svg class="swatch" viewBox="0 0 14 14"><path d="M1,7L13,7" stroke="{colour}" stroke-width="2.5"/></svg>'
        else:
            swatch = (f'<svg class="swatch wide" viewBox="0 0 28 14"><path d="M1,7L27,7" stroke="{colour}" stroke-width="2.5"/>'
                      f'<circle cx="14" cy="7" r="3.5" fill="{colour}"/></svg>')
        note = " note" if kind == "hollow" else ""
        parts.append(f'<li class="legend-item{note}">{swatch}<span>{escape(label)}</span></li>')
    return '<ul class="legend">' + "".join(parts) + "</ul>"


def _table(kpi: Kpi, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="muted">The mart has no rows for this period.</p>'
    columns = list(kpi.columns)
    provisional = kpi.name == "upgrade_rate"
    numeric = {column for column in columns
               if any(_number(row.get(column)) is not None for row in rows) and column != kpi.period_column}
    head = "".join(f'<th class="{"num" if column in numeric else ""}">{escape(_column_label(column))}</th>' for column in columns)
    if provisional:
        head += "<th>Note</th>"
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"num" if column in numeric else ""}">{escape(_period_label(kpi, row, column))}</td>' for column in columns)
        if provisional:
            cells += f'<td>{"provisional" if row.get("open_window_users") else ""}</td>'
        marked = ' class="provisional-row"' if provisional and row.get("open_window_users") else ""
        body.append(f"<tr{marked}>{cells}</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def _card(kpi: Kpi, rows: list[dict[str, Any]], months: list[dt.date]) -> str:
    chart = chart_for(kpi, rows, months)
    count = len(rows)
    return (
        f'<section class="card" id="kpi-{escape(kpi.name, quote=True)}">'
        f'<header class="card-head"><div><h2>{escape(kpi.title)}</h2>'
        f'<p class="mart"><code>{escape(kpi.mart)}</code></p></div></header>'
        f"{_legend(chart.legend)}"
        f'<div class="chart-wrap">{chart.svg}</div>'
        f'<p class="definition">{escape(kpi.definition)}</p>'
        f'<details><summary>Data · {count:,} row{"s" if count != 1 else ""}</summary>{_table(kpi, rows)}</details>'
        "</section>"
    )


def _trend(node: Node) -> tuple[str, str]:
    """(arrow, css class) of a node's change: the arrow follows the direction of the change, the
    colour says whether it is good news (green) or bad (red). A rise in a line subtracted in the
    bridge (its label starts with "- ": contraction, churn) is bad news."""
    change = node.change
    if change is None or change == 0:
        return "", "flat"
    good = (change > 0) != node.label.startswith("- ")
    return ("▲ " if change > 0 else "▼ "), ("up" if good else "down")


def _tree_rows(node: Node, depth: int) -> str:
    change = tree_change(node.kind, node.change)
    arrow, trend = _trend(node)
    detail = f'<span class="detail">{escape(node.detail)}</span>' if node.detail else ""
    row = (
        f'<div class="tree-row depth-{min(depth, 6)}" style="--depth:{depth}">'
        f'<span class="tree-label"><span class="name">{escape(node.label)}</span>{detail}</span>'
        f'<span class="num value">{escape(tree_value(node.kind, node.value))}</span>'
        f'<span class="num previous">{escape(tree_value(node.kind, node.previous))}</span>'
        f'<span class="num change {trend}">{escape(arrow + change)}</span></div>'
    )
    children = "".join(_tree_rows(child, depth + 1) for child in node.children)
    return f"<li>{row}" + (f"<ul>{children}</ul>" if children else "") + "</li>"


def render_tree_html(root: Node | None) -> str:
    if root is None:
        return ('<section class="card tree-card" id="metric-tree"><h2>Revenue metric tree</h2>'
                '<p class="muted">No month to explain: the marts hold no revenue month.</p></section>')
    head = ('<div class="tree-row tree-head"><span class="tree-label"></span><span class="num">This month</span>'
            '<span class="num">Previous</span><span class="num">Change</span></div>')
    items = "".join(_tree_rows(child, 0) for child in root.children)
    return (f'<section class="card tree-card" id="metric-tree"><h2>{escape(root.label)}</h2>'
            '<p class="definition">How the month\'s ending MRR builds up from the starting MRR, what feeds expansion, '
            'and retention and ARPA, each beside the previous month and the change.</p>'
            f'{head}<ul class="tree">{items}</ul></section>')


def _summary(root: Node | None) -> str:
    """Cards for the tree's top-level figures (this month, and the change on the previous)."""
    if root is None or not root.children:
        return ""
    month = root.label.split(", ", 1)[1] if ", " in root.label else ""
    cards = []
    for node in root.children:
        change = tree_change(node.kind, node.change)
        arrow, trend = _trend(node)
        cards.append(
            f'<div class="stat"><div class="stat-label">{escape(node.label)}</div>'
            f'<div class="stat-value">{escape(tree_value(node.kind, node.value))}</div>'
            f'<div class="stat-change {trend}">{escape(arrow + change) if change else "&nbsp;"}'
            f'<span class="muted"> vs {escape(tree_value(node.kind, node.previous))}</span></div></div>')
    caption = f"{escape(month)} against the previous month" if month else "This month against the previous month"
    return (f'<section class="summary"><p class="summary-caption">{caption} · '
            f'<a href="#metric-tree">metric tree</a></p><div class="stats">{"".join(cards)}</div></section>')


STYLE = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f5f6f8; --card: #fff; --accent: #4269d0;
        --good: #1f8a4c; --bad: #c9372c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 32px 28px 56px; }
.page-head { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 12px 32px;
             margin-bottom: 22px; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 4px; letter-spacing: -0.01em; }
.subtitle { margin: 0; color: var(--muted); }
.generated { color: var(--muted); font-size: 13px; text-align: right; }
.summary { margin-bottom: 24px; }
.summary-caption { margin: 0 0 10px; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
.summary-caption a { color: var(--accent); text-decoration: none; text-transform: none; letter-spacing: 0; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 16px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 20px;
        box-shadow: 0 1px 2px rgba(16, 24, 40, .04); }
.stat-label { color: var(--muted); font-size: 13px; font-weight: 600; }
.stat-value { font-size: 30px; font-weight: 700; letter-spacing: -0.02em; font-variant-numeric: tabular-nums; }
.stat-change { font-size: 13px; font-weight: 600; font-variant-numeric: tabular-nums; }
.up { color: var(--good); } .down { color: var(--bad); } .flat { color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 22px 16px;
        box-shadow: 0 1px 2px rgba(16, 24, 40, .04); min-width: 0; break-inside: avoid; }
.card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 16px; }
h2 { font-size: 17px; margin: 0; line-height: 1.3; }
.mart { margin: 2px 0 0; }
.mart code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); }
.legend { list-style: none; margin: 12px 0 4px; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px;
          color: #374151; }
.legend-item { display: inline-flex; align-items: center; gap: 6px; }
.legend-item.note { color: #8a5a00; }
.swatch { width: 14px; height: 14px; flex: none; } .swatch.wide { width: 28px; }
.chart-wrap { margin: 4px -4px 0; }
svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
svg.chart text { font-family: inherit; }
svg.chart .tick { font-size: 12.5px; fill: var(--muted); font-variant-numeric: tabular-nums; }
svg.chart .tick.year { font-size: 11px; fill: #9ca3af; }
svg.chart .grid { stroke: #eceef2; stroke-width: 1; }
svg.chart .zero, svg.chart .axis { stroke: #9ca3af; stroke-width: 1; }
svg.chart .reference { stroke: #6b7280; stroke-width: 1; stroke-dasharray: 3 3; }
svg.chart .reference-label { font-size: 12px; fill: var(--muted); }
svg.chart .reference-label, svg.chart .band-label, svg.chart .panel-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.chart .panel-label { font-size: 13px; font-weight: 600; fill: #374151; }
svg.chart .line { fill: none; stroke-width: 2.25; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .line.provisional { stroke-dasharray: 5 4; }
svg.chart .point { stroke-width: 1.5; }
svg.chart .point.provisional { stroke-width: 2; }
svg.chart .area { opacity: .08; }
svg.chart .bar:hover, svg.chart .point:hover { opacity: .75; }
svg.chart .net { stroke: #1f2937; stroke-width: 2.5; stroke-linecap: round; }
svg.chart .provisional-band { fill: #fff4d6; }
svg.chart .band-label { font-size: 12px; fill: #8a5a00; font-weight: 600; }
svg.chart .placeholder { fill: #f9fafb; stroke: #e5e7eb; stroke-dasharray: 4 4; }
svg.chart .empty { font-size: 14px; fill: var(--muted); }
.definition { margin: 10px 0 6px; color: #4b5563; font-size: 13.5px; }
details { margin-top: 6px; border-top: 1px solid var(--line); padding-top: 8px; }
summary { cursor: pointer; color: var(--accent); font-size: 13px; font-weight: 600; }
.table-wrap { overflow-x: auto; margin-top: 8px; max-height: 360px; overflow-y: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid #f0f1f4; text-align: left; white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; position: sticky; top: 0; background: #fafbfc; color: #4b5563; font-weight: 600; }
.num { text-align: right; }
tr.provisional-row td { background: #fffaf0; }
.muted { color: var(--muted); }
.tree-card { margin-top: 20px; }
.tree-card .definition { margin-bottom: 14px; }
.tree, .tree ul { list-style: none; margin: 0; padding: 0; }
.tree-row { display: grid; grid-template-columns: minmax(0, 1fr) 120px 120px 130px; gap: 12px; align-items: baseline;
            padding: 6px 8px 6px calc(8px + var(--depth, 0) * 22px); border-bottom: 1px solid #f0f1f4;
            font-variant-numeric: tabular-nums; }
.tree-row:hover { background: #f9fafb; }
.tree-head { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
             border-bottom: 1px solid var(--line); }
.tree-label { min-width: 0; }
.tree-row .name { font-weight: 500; }
.tree-row.depth-0 .name { font-weight: 700; }
.tree-row.depth-0 { background: #fafbfc; }
.tree ul .tree-label { position: relative; }
.tree ul .tree-label::before { content: ""; position: absolute; left: -14px; top: -0.35em; width: 9px; height: 1em;
                               border-left: 1px solid #cfd4dc; border-bottom: 1px solid #cfd4dc; }
.detail { color: var(--muted); font-size: 12.5px; margin-left: 10px; }
.tree-row .value { font-weight: 600; } .tree-row .previous { color: var(--muted); }
.change { font-weight: 600; }
footer { margin-top: 28px; color: var(--muted); font-size: 12.5px; }
@media (max-width: 720px) {
  main { padding: 20px 12px 40px; }
  .card { padding: 16px 14px 12px; }
  .stat-value { font-size: 24px; }
  .tree-row { grid-template-columns: minmax(0, 1fr) 88px 88px; }
  .tree-row .previous { display: none; }
  .tree-row .change { grid-column: 2 / 4; text-align: right; }
}
@media print { body { background: #fff; } .card, .stat { box-shadow: none; } details { display: none; } }
"""


def render_html(sections: Sequence[Section], tree_root: Node | None, generated_at: str) -> str:
    """The whole report as one self-contained HTML document.

    sections      (Kpi, rows) pairs as `plg report` reads them, in the order to show
    tree_root     the revenue metric tree of one month (plg.tree.build_tree), or None
    generated_at  when the report was made, shown as given
    """
    months = report_months(sections)
    if months:
        span = f"{months[0]:%B %Y} to {months[-1]:%B %Y}" if len(months) > 1 else f"{months[0]:%B %Y}"
        subtitle = f"Monthly KPIs, {span}. Hover a point or bar for its value; open “Data” under a chart for the numbers."
    else:
        subtitle = "The marts hold no rows for the period asked for."
    cards = "".join(_card(kpi, list(rows), months) for kpi, rows in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Self-serve growth KPIs</title>"
        f"<style>{STYLE}</style></head><body><main>"
        '<header class="page-head"><div><h1>Self-serve growth KPIs</h1>'
        f'<p class="subtitle">{escape(subtitle)}</p></div>'
        f'<div class="generated">Generated {escape(generated_at)}</div></header>'
        f"{_summary(tree_root)}"
        f'<div class="grid">{cards}</div>'
        f"{render_tree_html(tree_root)}"
        "<footer>Rates are the numerator over the denominator; an undefined rate (no one in the denominator) is left as a gap. "
        "Money is shown with two decimals, in the data's currency.</footer>"
        "</main></body></html>\n"
    )
