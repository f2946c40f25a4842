"""The HTML report: one self-contained page with a chart per KPI and the metric tree.

Rendered from a database built from generated data, checked as text (nothing loaded from the
network, one chart per KPI, data drawn, provisional months marked) and in a real headless
Chromium (the charts are in the DOM as rendered, and a screenshot is written for people to look at).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from plg.generate import generate
from plg.html_report import render_html
from plg.marts import KPIS, MartReader, find_kpi
from plg.tree import available_months, build_tree, default_month

DRAWN = ("path", "rect", "circle")


class ChartScan(HTMLParser):
    """Per `svg.chart`: its KPI and how many drawn data marks (class "mark") it holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: list[dict] = []
        self._depth = 0  # svg nesting inside the current chart

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "svg":
            if self._depth:
                self._depth += 1
            elif "chart" in classes:
                self._depth = 1
                self.charts.append({"kpi": attributes.get("data-kpi"), "marks": 0, "drawn": 0, "provisional": 0})
            return
        if self._depth and tag in DRAWN:
            chart = self.charts[-1]
            chart["drawn"] += 1
            if "mark" in classes:
                chart["marks"] += 1
                if "provisional" in classes:
                    chart["provisional"] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._depth:
            self._depth -= 1


def scan(html: str) -> list[dict]:
    parser = ChartScan()
    parser.feed(html)
    parser.close()
    return parser.charts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("html-report")
    raw, db = folder / "raw", folder / "kpis.duckdb"
    generate(raw, accounts=150, seed=5)
    result = subprocess.run([sys.executable, "-m", "plg", "build", "--data-dir", str(raw), "--db", str(db)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"plg build failed:\n{result.stdout}\n{result.stderr}"
    with MartReader(db) as reader:
        sections = [(kpi, reader.rows(kpi)) for kpi in KPIS]
        root = build_tree(reader, default_month(available_months(reader)))
    html = render_html(sections, root, "2025-12-31 12:00 UTC")
    page = folder / "report.html"
    page.write_text(html, encoding="utf-8")
    return {"sections": sections, "root": root, "html": html, "page": page, "folder": folder}


def test_the_page_loads_nothing_from_the_network(built: dict) -> None:
    html = built["html"]
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*//""", html), "a protocol-relative resource"
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html


def test_one_chart_per_kpi_with_its_data_drawn(built: dict) -> None:
    charts = scan(built["html"])
    assert [chart["kpi"] for chart in charts] == [kpi.name for kpi in KPIS]
    for chart in charts:
        assert chart["marks"] > 0, f"{chart['kpi']}: no data drawn"
    for kpi in KPIS:
        assert escape(kpi.definition) in built["html"], f"{kpi.name}: definition missing"
    # Every chart is well-formed SVG.
    for svg in re.findall(r'<svg class="chart".*?</svg>', built["html"], flags=re.S):
        ET.fromstring(svg)


def test_provisional_months_are_marked(built: dict) -> None:
    rows = dict((kpi.name, rows) for kpi, rows in built["sections"])["upgrade_rate"]
    open_months = [row for row in rows if row["open_window_users"] > 0]
    chart = next(chart for chart in scan(built["html"]) if chart["kpi"] == "upgrade_rate")
    assert open_months, "the generated data is expected to end with upgrade windows still open"
    assert chart["provisional"] >= len(open_months)
    assert "provisional-band" in built["html"] and "Provisional:" in built["html"]


def test_the_metric_tree_is_a_nested_list(built: dict) -> None:
    html, root = built["html"], built["root"]
    tree = html[html.index('id="metric-tree"'):]
    assert '<ul class="tree">' in tree and "<ul>" in tree  # nested
    assert escape(root.label) in tree
    for label in ("Ending MRR", "Starting MRR", "Net revenue retention", "ARPA", "Plan upgrade rate"):
        assert escape(label) in tree
    assert "This month" in tree and "Previous" in tree and "Change" in tree


def test_empty_marts_and_undefined_rates_still_render() -> None:
    empty = [(kpi, []) for kpi in KPIS]
    html = render_html(empty, None, "now")
    charts = scan(html)
    assert [chart["kpi"] for chart in charts] == [kpi.name for kpi in KPIS]
    assert all(chart["drawn"] > 0 and chart["marks"] == 0 for chart in charts)
    assert html.count("No data for this period") == len(KPIS)
    for svg in re.findall(r'<svg class="chart".*?</svg>', html, flags=re.S):
        ET.fromstring(svg)

    # A NULL rate is a gap: the line breaks there instead of dropping to zero.
    months = [dt.date(2025, month, 1) for month in range(1, 6)]
    rates = [20.0, 25.0, None, 30.0, 10.0]
    rows = [{"activation_month": month, "activated_users": 10 if rate is not None else 0,
             "upgraded_users": int((rate or 0) / 10), "upgrade_rate_pct": rate,
             "open_window_users": 3 if month == months[-1] else 0} for month, rate in zip(months, rates)]
    html = render_html([(find_kpi("upgrade_rate"), rows)], None, "now")
    svg = re.search(r'<svg class="chart".*?</svg>', html, flags=re.S).group(0)
    lines = re.findall(r'<path class="mark line( provisional)?" d="([^"]*)"', svg)
    # Jan-Feb solid, then Apr-May dashed into the provisional May; nothing drawn across March.
    assert [(bool(dashed), d.count("L")) for dashed, d in lines] == [(False, 1), (True, 1)]
    assert svg.count('<circle class="mark point') == 4
    assert svg.count('<circle class="mark point provisional"') == 1


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


@pytest.mark.skipif(_chromium() is None, reason="no Chromium binary on PATH (install Debian's `chromium` to run this test)")
def test_the_page_renders_in_a_headless_browser(built: dict, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    browser = _chromium()
    url = built["page"].resolve().as_uri()
    shot = tmp_path / "html_report.png"
    run = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-shot'}", f"--screenshot={shot}",
         "--window-size=1400,3000", url],
        capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000, "the screenshot is missing or blank"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    artifacts = request.config.rootpath / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, artifacts / "html_report.png")

    dump = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", url],
        capture_output=True, text=True, timeout=180)
    assert dump.returncode == 0, dump.stderr[-2000:]
    charts = scan(dump.stdout)
    assert [chart["kpi"] for chart in charts] == [kpi.name for kpi in KPIS], "the rendered DOM lacks a chart"
    expected = {chart["kpi"]: chart for chart in scan(built["html"])}
    for chart in charts:
        assert chart["marks"] > 0, f"{chart['kpi']}: no data drawn in the rendered DOM"
        assert chart["marks"] == expected[chart["kpi"]]["marks"], f"{chart['kpi']}: marks lost while rendering"
