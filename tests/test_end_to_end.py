"""End to end through the CLI: build generated and hand-made data sets, compare every mart cell
with the independent implementation in reference_kpis.py (not the project's SQL)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import assert_marts_match_reference, build, last_build_log, read_mart, run_plg
import fixtures
from reference_kpis import TABLE_COLUMNS


def test_generated_data_matches_reference(generated_csv: Path, built_generated: Path) -> None:
    expected = assert_marts_match_reference(generated_csv, built_generated)
    # The data set is not trivial: every mart has rows, and something upgraded.
    for mart, rows in expected.items():
        assert rows, f"{mart} is empty on generated data"
    assert sum(row["upgraded_users"] for row in expected["fct_self_serve_upgrade_rate"]) > 0


def test_parquet_input_gives_the_same_marts(tmp_path: Path) -> None:
    from plg.generate import generate

    csv_dir, parquet_dir = tmp_path / "csv", tmp_path / "parquet"
    generate(csv_dir, accounts=120, seed=11, fmt="csv")
    generate(parquet_dir, accounts=120, seed=11, fmt="parquet")
    build(parquet_dir, tmp_path / "parquet.duckdb")
    assert_marts_match_reference(csv_dir, tmp_path / "parquet.duckdb")


@pytest.mark.parametrize(
    "builder, mart, check",
    [
        (fixtures.worked_example_upgrade_rate, "fct_self_serve_upgrade_rate",
         lambda rows: any(row["activated_users"] == 1500 and row["upgraded_users"] == 345
                          and abs(row["upgrade_rate_pct"] - 23.0) < 1e-9 for row in rows)),
        (fixtures.worked_example_intent, "fct_upgrade_intent_signal_rate",
         lambda rows: any(row["active_free_users"] == 3200 and row["signaled_users"] == 880
                          and abs(row["signal_rate_pct"] - 27.5) < 1e-9 for row in rows)),
        (fixtures.worked_example_plan_upgrade, "fct_plan_upgrade_rate",
         lambda rows: sum(row["subscribers_at_start"] for row in rows if row["period_grain"] == "quarter"
                          and str(row["period_start"]) == "2025-04-01") == 3000
         and sum(row["upgraded_subscribers"] for row in rows if row["period_grain"] == "quarter"
                 and str(row["period_start"]) == "2025-04-01") == 120),
    ],
    ids=["upgrade_rate_23pct", "intent_27_5pct", "plan_upgrade_4pct"],
)
def test_worked_examples(tmp_path: Path, builder, mart: str, check) -> None:
    data_dir = tmp_path / "raw"
    builder(data_dir)
    db_path = tmp_path / "kpis.duckdb"
    build(data_dir, db_path)
    assert check(read_mart(db_path, mart)), read_mart(db_path, mart)
    assert_marts_match_reference(data_dir, db_path)


def test_zero_denominators_give_null_rates(tmp_path: Path) -> None:
    data_dir = tmp_path / "raw"
    expected_nulls = fixtures.zero_denominator_dataset(data_dir)
    db_path = tmp_path / "kpis.duckdb"
    build(data_dir, db_path)
    assert_marts_match_reference(data_dir, db_path)
    upgrade = read_mart(db_path, "fct_self_serve_upgrade_rate")
    assert any(row["activated_users"] == 0 and row["upgrade_rate_pct"] is None for row in upgrade)
    intent = read_mart(db_path, "fct_upgrade_intent_signal_rate")
    assert any(row["active_free_users"] == 0 and row["signal_rate_pct"] is None for row in intent)
    assert expected_nulls


def test_settings_pass_through_to_every_mart(generated_csv: Path, tmp_path: Path) -> None:
    settings = {
        "activation_window_days": 7,
        "sales_touch_lookback_days": 10,
        "activation_events": ["dashboard_built"],
        "upgrade_intent_events": ["paywall_hit", "pricing_page_viewed"],
        "team_expansion_upsell_types": ["seats", "add_on"],
    }
    db_path = tmp_path / "kpis.duckdb"
    build(generated_csv, db_path, "--vars", json.dumps(settings))
    assert_marts_match_reference(generated_csv, db_path, settings)


def test_empty_list_settings_build_and_match_reference(generated_csv: Path, tmp_path: Path) -> None:
    # An empty list is a valid setting: no activation events, no intent events, no team
    # expansion types (every upsell type then counts as upsell revenue).
    settings = {"activation_events": [], "upgrade_intent_events": [], "team_expansion_upsell_types": []}
    db_path = tmp_path / "kpis.duckdb"
    build(generated_csv, db_path, "--vars", json.dumps(settings))
    assert_marts_match_reference(generated_csv, db_path, settings)
    upsell_types = {row["upsell_type"] for row in read_mart(db_path, "fct_self_serve_upsell_revenue")}
    assert "seats" in upsell_types


def test_money_keeps_six_decimal_places(tmp_path: Path) -> None:
    # 300 purchases of 0.00004 add up to 0.012: kept to four decimals each would be 0.0000 and
    # lose a cent; 0.0000004 is rounded away.
    data_dir = tmp_path / "raw"
    shutil.copytree(Path(__file__).parent / "data" / "tiny", data_dir)
    with open(data_dir / "upsell_purchases.csv", "a", encoding="utf-8") as handle:
        for number in range(300):
            handle.write(f"tiny-{number},a1,u1,2025-02-10T00:00:00Z,feature_pack,0.00004,in_product\n")
        handle.write("rounded,a1,u1,2025-02-10T00:00:00Z,feature_pack,0.0000004,in_product\n")
    db_path = tmp_path / "kpis.duckdb"
    build(data_dir, db_path)
    rows = read_mart(db_path, "fct_self_serve_upsell_revenue")
    february = [row for row in rows if str(row["revenue_month"]) == "2025-02-01" and row["upsell_type"] == "feature_pack"]
    assert [row["upsell_revenue"] for row in february] == [Decimal("20.50") - Decimal("5.25") + Decimal("0.012")]


def test_a_quote_in_a_setting_is_data_not_code(tmp_path: Path) -> None:
    data_dir = tmp_path / "raw"
    shutil.copytree(Path(__file__).parent / "data" / "tiny", data_dir)
    db_path = tmp_path / "kpis.duckdb"
    hostile = "x'); drop table main.fct_arpa; --"
    build(data_dir, db_path, "--vars", json.dumps({"activation_events": ["dashboard_built", hostile],
                                                    "self_serve_change_channel": "it's self_serve"}))
    assert read_mart(db_path, "fct_arpa")
    rows = read_mart(db_path, "fct_self_serve_upgrade_rate")
    assert all(row["upgraded_users"] == 0 for row in rows)  # no channel is "it's self_serve"


def test_report_formats_read_the_built_marts(built_generated: Path) -> None:
    table = run_plg("report", "--db", str(built_generated))
    assert table.returncode == 0, table.stderr
    for title in ("Self-serve upgrade rate", "Upgrade-intent signal rate", "Self-serve upsell revenue",
                  "Plan upgrade rate", "Self-serve expansion revenue", "MRR movements", "Average revenue per paying account"):
        assert title in table.stdout

    as_json = run_plg("report", "--db", str(built_generated), "--format", "json", "--kpi", "arpa", "--kpi", "upgrade_rate")
    assert as_json.returncode == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert set(payload) == {"arpa", "upgrade_rate"}
    assert payload["arpa"]["rows"] == _json_ready(read_mart(built_generated, "fct_arpa"))

    as_csv = run_plg("report", "--db", str(built_generated), "--format", "csv", "--kpi", "mrr_movements",
                     "--from", "2025-03", "--to", "2025-05")
    assert as_csv.returncode == 0, as_csv.stderr
    lines = as_csv.stdout.strip().splitlines()
    assert lines[0].startswith("revenue_month,starting_mrr")
    assert [line.split(",")[0] for line in lines[1:]] == ["2025-03-01", "2025-04-01", "2025-05-01"]

    markdown = run_plg("report", "--db", str(built_generated), "--format", "markdown", "--kpi", "expansion_revenue")
    assert markdown.returncode == 0 and "| revenue_month" in markdown.stdout


def _json_ready(rows):
    import datetime as dt
    from decimal import Decimal

    def convert(value):
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    return [{key: convert(value) for key, value in row.items()} for row in rows]


def test_build_works_from_another_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "raw"
    shutil.copytree(Path(__file__).parent / "data" / "tiny", data_dir)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_plg("build", "--data-dir", "../raw", "--db", "out.duckdb", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "Build succeeded" in result.stdout
    assert (elsewhere / "out.duckdb").is_file()
    assert (elsewhere / "out.duckdb.dbt" / "target" / "run_results.json").is_file()
    assert "stg_product__events" in result.stderr  # progress per node
    # and per raw table, before any node: the input checks run first and take a while on a
    # large table. Every table is read in full on a first build.
    progress = result.stderr.splitlines()
    checks = [line.strip() for line in progress if line.strip().startswith("Input checks: ")]
    assert sorted(checks) == sorted(f"Input checks: {table}, every row" for table in TABLE_COLUMNS)
    first_node = next(index for index, line in enumerate(progress) if line.strip().startswith(("OK ", "PASS ")))
    assert max(progress.index(line) for line in progress if line.strip() in checks) < first_node


def test_engine_settings_reach_duckdb(tmp_path: Path) -> None:
    """--threads, --memory-limit and --temp-dir are what DuckDB runs the build with (the
    settings hook logs them); without them, the defaults: every core, 75% of memory, <db>.tmp."""
    import duckdb

    tiny = Path(__file__).parent / "data" / "tiny"
    spill = tmp_path / "spill"
    build(tiny, tmp_path / "set.duckdb", "--threads", "1", "--memory-limit", "1GB", "--temp-dir", str(spill))
    assert f"DuckDB settings: threads 1, memory_limit 953.6 MiB, temp_directory {spill}" in last_build_log(tmp_path / "set.duckdb")

    build(tiny, tmp_path / "default.duckdb")
    with duckdb.connect() as connection:
        connection.execute("set memory_limit = '75%'")
        cores, memory = connection.execute("select current_setting('threads'), current_setting('memory_limit')").fetchone()
    assert (f"DuckDB settings: threads {cores}, memory_limit {memory}, temp_directory {tmp_path / 'default.duckdb.tmp'}"
            in last_build_log(tmp_path / "default.duckdb"))


def test_time_zone_does_not_change_a_number(generated_csv: Path, built_generated: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "tokyo.duckdb"
    build(generated_csv, db_path, tz="Asia/Kolkata")
    for mart in ("fct_self_serve_upgrade_rate", "fct_mrr_movements", "fct_plan_upgrade_rate"):
        assert read_mart(db_path, mart) == read_mart(built_generated, mart)


def test_html_report_and_terminal_trends(built_generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "kpis.html"
    result = run_plg("report", "--db", str(built_generated), "--format", "html", "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('class="chart"') >= 8 and "Revenue metric tree" in page
    assert run_plg("report", "--db", str(built_generated), "--format", "html").returncode == 2

    table = run_plg("report", "--db", str(built_generated), "--kpi", "upgrade_rate")
    trend_line = next(line for line in table.stdout.splitlines() if line.startswith("trend: "))
    assert any(character in trend_line for character in "▁▂▃▄▅▆▇█")


def test_tree_explains_a_month_with_no_empty_node(built_generated: Path) -> None:
    result = run_plg("tree", "--db", str(built_generated))
    assert result.returncode == 0, result.stderr
    for label in ("Ending MRR", "Starting MRR", "New MRR", "Reactivation MRR", "Expansion MRR", "Plan upgrade rate",
                  "Self-serve expansion revenue", "Contraction MRR", "Churned MRR", "Net revenue retention",
                  "Gross revenue retention", "ARPA", "Paying accounts"):
        assert label in result.stdout, label
    as_json = json.loads(run_plg("tree", "--db", str(built_generated), "--format", "json").stdout)

    def walk(node):
        yield node
        for child in node["children"]:
            yield from walk(child)

    nodes = list(walk(as_json))[1:]
    assert all(node["value"] is not None for node in nodes if node["label"] not in ("Net revenue retention", "Gross revenue retention"))
    explicit = run_plg("tree", "--db", str(built_generated), "--month", "2025-06")
    assert explicit.returncode == 0 and "June 2025" in explicit.stdout
    assert run_plg("tree", "--db", str(built_generated), "--month", "1999-01").returncode == 1


def test_demo_generates_builds_and_reports(tmp_path: Path) -> None:
    db_path = tmp_path / "demo.duckdb"
    result = run_plg("demo", "--accounts", "60", "--db", str(db_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Build succeeded" in result.stdout
    assert "Stale input" not in result.stderr  # the sample data is old on purpose
    for title in ("Self-serve upgrade rate", "MRR movements", "Average revenue per paying account"):
        assert title in result.stdout
    assert db_path.is_file()


def test_locale_does_not_change_a_number(generated_csv: Path, built_generated: Path, tmp_path: Path) -> None:
    import os

    db_path = tmp_path / "locale.duckdb"
    env_locale = {"LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8", "LC_NUMERIC": "de_DE.UTF-8"}
    saved = {key: os.environ.get(key) for key in env_locale}
    os.environ.update(env_locale)
    try:
        build(generated_csv, db_path, tz="Europe/Berlin")
        report = run_plg("report", "--db", str(db_path), "--kpi", "arpa", "--format", "csv")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    for mart in ("fct_arpa", "fct_self_serve_upsell_revenue", "fct_upgrade_intent_signal_rate"):
        assert read_mart(db_path, mart) == read_mart(built_generated, mart)
    assert report.returncode == 0 and "," in report.stdout.splitlines()[1]
