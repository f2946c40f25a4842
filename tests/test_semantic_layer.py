"""The semantic layer (models/semantic): MetricFlow semantic models and metrics over the marts.

`dbt parse` always runs, and the manifest must hold every semantic model and metric, each
described. When the MetricFlow CLI is available (`pip install 'dbt-metricflow[dbt-duckdb]==0.15.0'`
beside the project; or the env var PLG_MF_BIN naming an `mf` executable of another virtual
environment), a generated data set is built and the numbers of `mf query` are compared with the
marts that define them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pytest

PROJECT = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))

SEMANTIC_MODELS = {
    "activated_users": "fct_activated_users",
    "upgrade_intent_months": "fct_upgrade_intent_signal_rate",
    "self_serve_upsell_lines": "fct_self_serve_upsell_revenue",
    "self_serve_expansion_lines": "fct_self_serve_expansion_revenue",
    "plan_upgrade_periods": "fct_plan_upgrade_rate",
    "account_mrr_months": "fct_account_mrr_monthly",
}

# metric name -> (type, numerator, denominator) for ratios, (type, measure) for simple metrics
METRICS: dict[str, tuple[str, ...]] = {
    "activated_users": ("simple", "activated_users"),
    "upgraded_users": ("simple", "upgraded_users"),
    "self_serve_upgrade_rate": ("ratio", "upgraded_users", "activated_users"),
    "open_window_users": ("simple", "open_window_users"),
    "all_activated_users": ("simple", "all_activated_users"),
    "active_free_users": ("simple", "active_free_users"),
    "signaled_users": ("simple", "signaled_users"),
    "upgrade_intent_signal_rate": ("ratio", "signaled_users", "active_free_users"),
    "self_serve_upsell_revenue": ("simple", "self_serve_upsell_revenue"),
    "self_serve_expansion_revenue": ("simple", "self_serve_expansion_revenue"),
    "paid_subscribers_at_month_start": ("simple", "paid_subscribers_at_month_start"),
    "upgraded_subscribers_in_month": ("simple", "upgraded_subscribers_in_month"),
    "plan_upgrade_rate": ("ratio", "upgraded_subscribers_in_month", "paid_subscribers_at_month_start"),
    "paid_subscribers_at_quarter_start": ("simple", "paid_subscribers_at_quarter_start"),
    "upgraded_subscribers_in_quarter": ("simple", "upgraded_subscribers_in_quarter"),
    "plan_upgrade_rate_quarterly": ("ratio", "upgraded_subscribers_in_quarter", "paid_subscribers_at_quarter_start"),
    "starting_mrr": ("simple", "starting_mrr"),
    "new_mrr": ("simple", "new_mrr"),
    "reactivation_mrr": ("simple", "reactivation_mrr"),
    "expansion_mrr": ("simple", "expansion_mrr"),
    "contraction_mrr": ("simple", "contraction_mrr"),
    "churned_mrr": ("simple", "churned_mrr"),
    "ending_mrr": ("simple", "ending_mrr"),
    "paying_accounts": ("simple", "paying_accounts"),
    "arpa": ("ratio", "ending_mrr", "paying_accounts"),
    "retained_mrr": ("simple", "retained_mrr"),
    "retention_base_mrr": ("simple", "retention_base_mrr"),
    "gross_retained_mrr": ("simple", "gross_retained_mrr"),
    "net_revenue_retention": ("ratio", "retained_mrr", "retention_base_mrr"),
    "gross_revenue_retention": ("ratio", "gross_retained_mrr", "retention_base_mrr"),
}

# The MRR bridge metrics and the fct_mrr_movements column each equals, month by month.
MRR_BRIDGE = ("starting_mrr", "new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "ending_mrr")


def run(command: list[str], cwd: Path, db_path: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PLG_DB_PATH=str(db_path),
        DBT_PROFILES_DIR=str(cwd),
        TZ="America/Los_Angeles",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.pop("DBT_PROJECT_DIR", None)
    env.pop("DBT_TARGET_PATH", None)
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


# ---------------------------------------------------------------------------------------------
# (a) dbt parse: the manifest holds the semantic layer


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("semantic_parse")
    result = run(
        [DBT, "parse", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=PROJECT, db_path=work / "parse.duckdb",
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return json.loads((work / "target" / "manifest.json").read_text())


def test_parse_has_every_semantic_model(manifest: dict[str, Any]) -> None:
    found = {model["name"]: model for model in manifest["semantic_models"].values() if model["package_name"] == "plg_kpis"}
    assert set(found) == set(SEMANTIC_MODELS)
    for name, mart in SEMANTIC_MODELS.items():
        assert found[name]["depends_on"]["nodes"] == [f"model.plg_kpis.{mart}"], name


def test_parse_has_every_metric(manifest: dict[str, Any]) -> None:
    found = {metric["name"]: metric for metric in manifest["metrics"].values() if metric["package_name"] == "plg_kpis"}
    assert set(found) == set(METRICS)
    for name, (kind, *inputs) in METRICS.items():
        params = found[name]["type_params"]
        assert found[name]["type"] == kind, name
        if kind == "simple":
            assert params["measure"]["name"] == inputs[0], name
        else:
            assert (params["numerator"]["name"], params["denominator"]["name"]) == tuple(inputs), name
    # The upgrade rate is a ratio over the per-user flag, never a conversion metric.
    assert not [metric for metric in found.values() if metric["type"] == "conversion"]


def test_every_element_is_described(manifest: dict[str, Any]) -> None:
    missing = []
    for model in manifest["semantic_models"].values():
        if model["package_name"] != "plg_kpis":
            continue
        if not (model.get("description") or "").strip():
            missing.append(model["name"])
        for kind in ("entities", "measures", "dimensions"):
            missing += [f"{model['name']}.{element['name']}" for element in model[kind] if not (element.get("description") or "").strip()]
    missing += [metric["name"] for metric in manifest["metrics"].values() if not metric["description"].strip()]
    assert not missing, f"without a description: {missing}"


def test_time_spine_is_configured(manifest: dict[str, Any]) -> None:
    spine = manifest["nodes"]["model.plg_kpis.metricflow_time_spine"]
    assert spine["time_spine"]["standard_granularity_column"] == "date_day"
    assert spine["columns"]["date_day"]["granularity"] == "day"


# ---------------------------------------------------------------------------------------------
# (b) MetricFlow: `mf query` agrees with the marts


def find_mf() -> str | None:
    named = os.environ.get("PLG_MF_BIN")
    if named:
        return named if Path(named).exists() else None
    beside = Path(sys.executable).with_name("mf")
    if beside.exists():
        return str(beside)
    return shutil.which("mf")


@pytest.fixture(scope="module")
def metricflow_project(tmp_path_factory, request) -> tuple[str, Path, Path]:
    """A copy of the dbt project built on a generated data set: (mf, project copy, database).

    MetricFlow reads `target/semantic_manifest.json` under the project it runs in, so the build
    runs in a copy with its own target folder.
    """
    mf = find_mf()
    if mf is None:
        pytest.skip("MetricFlow is not installed: no `mf` (pip install 'dbt-metricflow[dbt-duckdb]==0.15.0', or set PLG_MF_BIN)")
    data_dir = request.getfixturevalue("generated_csv")
    work = tmp_path_factory.mktemp("semantic_mf")
    project = work / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT / name, project / name)
    for name in ("models", "macros", "seeds", "tests/dbt"):
        if (PROJECT / name).exists():
            shutil.copytree(PROJECT / name, project / name)
    db_path = work / "kpis.duckdb"
    built = run(
        [DBT, "build", "--exclude-resource-type", "unit_test", "--vars", json.dumps({"data_dir": str(data_dir)})],
        cwd=project, db_path=db_path,
    )
    assert built.returncode == 0, built.stdout[-5000:] + built.stderr[-2000:]
    assert (project / "target" / "semantic_manifest.json").exists()
    return mf, project, db_path


def mf_query(setup: tuple[str, Path, Path], metrics: Iterable[str], group_by: Iterable[str]) -> list[dict[str, str]]:
    mf, project, db_path = setup
    out = project / "mf_query.csv"
    out.unlink(missing_ok=True)
    result = run(
        [mf, "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out)],
        cwd=project, db_path=db_path, timeout=600,
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-5000:] + result.stderr[-3000:]
    with open(out, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_sql(db_path: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        cursor = connection.execute(sql)
        names = [description[0] for description in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def as_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(Decimal(str(value)))


def month_key(value: Any) -> str:
    """'2025-03-01 00:00:00' (MetricFlow's CSV) or a date -> '2025-03-01'."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def pct(value: Any) -> float | None:
    number = as_number(value)
    return None if number is None else number / 100.0


def assert_close(actual: Any, expected: Any, what: str) -> None:
    actual, expected = as_number(actual), as_number(expected)
    if expected is None:
        assert actual is None, f"{what}: MetricFlow {actual}, marts NULL"
        return
    assert actual is not None, f"{what}: MetricFlow NULL, marts {expected}"
    assert abs(actual - expected) <= 1e-6 * max(1.0, abs(expected)), f"{what}: MetricFlow {actual}, marts {expected}"


def by_key(rows: list[dict[str, Any]], *columns: str) -> dict[tuple, dict[str, Any]]:
    """Rows by the values of ``columns``; a metric_time value as its first day ('2025-03-01')."""
    return {tuple(month_key(row[column]) if column.startswith("metric_time") else row[column] for column in columns): row for row in rows}


def test_monthly_metrics_equal_the_marts(metricflow_project) -> None:
    db_path = metricflow_project[2]
    metrics = (
        "self_serve_upgrade_rate", "activated_users", "upgraded_users", "upgrade_intent_signal_rate",
        "self_serve_upsell_revenue", "self_serve_expansion_revenue", "plan_upgrade_rate",
        *MRR_BRIDGE, "paying_accounts", "arpa", "net_revenue_retention", "gross_revenue_retention",
    )
    got = by_key(mf_query(metricflow_project, metrics, ["metric_time__month"]), "metric_time__month")

    expected: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in read_sql(db_path, "select * from fct_self_serve_upgrade_rate"):
        expected["self_serve_upgrade_rate"][month_key(row["activation_month"])] = pct(row["upgrade_rate_pct"])
        expected["activated_users"][month_key(row["activation_month"])] = row["activated_users"]
        expected["upgraded_users"][month_key(row["activation_month"])] = row["upgraded_users"]
    for row in read_sql(db_path, "select * from fct_upgrade_intent_signal_rate"):
        expected["upgrade_intent_signal_rate"][month_key(row["activity_month"])] = pct(row["signal_rate_pct"])
    for row in read_sql(db_path, "select revenue_month, sum(upsell_revenue) as revenue from fct_self_serve_upsell_revenue group by 1"):
        expected["self_serve_upsell_revenue"][month_key(row["revenue_month"])] = row["revenue"]
    for row in read_sql(db_path, "select revenue_month, sum(expansion_revenue) as revenue from fct_self_serve_expansion_revenue group by 1"):
        expected["self_serve_expansion_revenue"][month_key(row["revenue_month"])] = row["revenue"]
    for row in read_sql(db_path, "select revenue_month, plan_upgrade_rate_pct from fct_revenue_metric_tree where paid_subscribers_at_start > 0"):
        expected["plan_upgrade_rate"][month_key(row["revenue_month"])] = pct(row["plan_upgrade_rate_pct"])
    for row in read_sql(db_path, "select * from fct_mrr_movements"):
        for metric in MRR_BRIDGE:
            expected[metric][month_key(row["revenue_month"])] = row[metric]
    for row in read_sql(db_path, "select * from fct_arpa"):
        expected["paying_accounts"][month_key(row["revenue_month"])] = row["paying_accounts"]
        expected["arpa"][month_key(row["revenue_month"])] = row["arpa"]
    for row in read_sql(db_path, "select * from fct_net_revenue_retention"):
        expected["net_revenue_retention"][month_key(row["revenue_month"])] = pct(row["nrr_pct"])
        expected["gross_revenue_retention"][month_key(row["revenue_month"])] = pct(row["grr_pct"])

    for metric in metrics:
        assert expected[metric], f"{metric}: the marts have no rows"
        for month, value in expected[metric].items():
            assert (month,) in got, f"{metric}: MetricFlow has no row for {month}"
            assert_close(got[(month,)][metric], value, f"{metric} {month}")
        # A month the mart does not have shows no number (or a zero count) in MetricFlow.
        for (month,), row in got.items():
            if month not in expected[metric]:
                assert as_number(row[metric]) in (None, 0.0), f"{metric} {month}: {row[metric]} not in the marts"


def test_quarterly_metrics_equal_the_marts(metricflow_project) -> None:
    db_path = metricflow_project[2]
    got = by_key(
        mf_query(metricflow_project, ["plan_upgrade_rate_quarterly", "starting_mrr", "ending_mrr", "new_mrr"], ["metric_time__quarter"]),
        "metric_time__quarter",
    )
    plans = read_sql(
        db_path,
        "select period_start, sum(upgraded_subscribers) as upgraded, sum(subscribers_at_start) as subscribers "
        "from fct_plan_upgrade_rate where period_grain = 'quarter' group by 1",
    )
    assert plans
    for row in plans:
        assert_close(got[(month_key(row["period_start"]),)]["plan_upgrade_rate_quarterly"], row["upgraded"] / row["subscribers"], f"quarter {row['period_start']}")
    # MRR snapshots read the quarter's first (starting) and last (ending) month; movements add up.
    quarters = read_sql(
        db_path,
        "select date_trunc('quarter', revenue_month) as quarter, arg_min(starting_mrr, revenue_month) as starting_mrr, "
        "arg_max(ending_mrr, revenue_month) as ending_mrr, sum(new_mrr) as new_mrr from fct_mrr_movements group by 1",
    )
    for row in quarters:
        for metric in ("starting_mrr", "ending_mrr", "new_mrr"):
            assert_close(got[(month_key(row["quarter"]),)][metric], row[metric], f"{metric} quarter {row['quarter']}")


def test_upgrade_rate_by_persona_and_source_equals_the_users_mart(metricflow_project) -> None:
    db_path = metricflow_project[2]
    got = mf_query(metricflow_project, ["self_serve_upgrade_rate", "activated_users"], ["user__persona", "user__acquisition_source"])
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for user in read_sql(db_path, "select * from fct_activated_users"):
        if user["is_on_free_plan_at_activation"]:
            key = (user["persona"] or "", user["acquisition_source"] or "")
            counts[key][0] += 1
            counts[key][1] += int(bool(user["has_upgraded_within_window"]))
    rows = {(row["user__persona"], row["user__acquisition_source"]): row for row in got}
    assert len(counts) > 3
    for key, (activated, upgraded) in counts.items():
        assert_close(rows[key]["activated_users"], activated, f"activated users {key}")
        assert_close(rows[key]["self_serve_upgrade_rate"], upgraded / activated, f"upgrade rate {key}")
        assert as_number(rows[key]["self_serve_upgrade_rate"]) <= 1.0


def test_mrr_by_segment_and_upsell_by_type_equal_the_marts(metricflow_project) -> None:
    db_path = metricflow_project[2]
    got = by_key(
        mf_query(metricflow_project, ["ending_mrr", "churned_mrr"], ["metric_time__month", "account_month__segment", "account_month__country"]),
        "metric_time__month", "account_month__segment", "account_month__country",
    )
    expected = read_sql(
        db_path,
        "select revenue_month, coalesce(segment, '') as segment, coalesce(country, '') as country, "
        "sum(ending_mrr) as ending_mrr, sum(churned_mrr) as churned_mrr from fct_account_mrr_monthly group by all",
    )
    assert expected
    for row in expected:
        key = (month_key(row["revenue_month"]), row["segment"], row["country"])
        for metric in ("ending_mrr", "churned_mrr"):
            assert_close(got[key][metric], row[metric], f"{metric} {key}")

    got = by_key(
        mf_query(metricflow_project, ["self_serve_upsell_revenue"], ["metric_time__month", "upsell_line__upsell_type"]),
        "metric_time__month", "upsell_line__upsell_type",
    )
    expected = read_sql(db_path, "select * from fct_self_serve_upsell_revenue")
    assert expected and len(got) == len(expected)
    for row in expected:
        key = (month_key(row["revenue_month"]), row["upsell_type"])
        assert_close(got[key]["self_serve_upsell_revenue"], row["upsell_revenue"], f"upsell revenue {key}")
