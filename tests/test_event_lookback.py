"""Events in a warehouse table with a look-back (var event_lookback_days): an incremental build
reads and checks only the raw events of the last days, and gives what a full build gives for
any change within them; a change before them waits for `--full-refresh`, as documented; and an
event moved into them from an earlier day stops the build instead of being counted twice.

The raw tables are text tables in schema `raw` of the DuckDB file the build writes to, read
through var raw_schema with `dbt build`, as a warehouse user runs the project.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import TESTS_DIR, table_contents

PROJECT_DIR = TESTS_DIR.parent
LOOKBACK_DAYS = 3
RAW_TABLES = ("accounts", "users", "plans", "product_events", "subscription_changes", "upsell_purchases", "sales_touches")


def dbt_build(db_path: Path, *extra: str, lookback: object = LOOKBACK_DAYS, expect_success: bool = True) -> subprocess.CompletedProcess:
    """`dbt build` of the project into `db_path`, reading the raw tables of its schema `raw`."""
    artifacts = db_path.parent / f"{db_path.name}.dbt"
    env = dict(os.environ, PLG_DB_PATH=str(db_path), TZ="America/Los_Angeles", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    result = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(artifacts / "target"), "--log-path", str(artifacts / "logs"), "--exclude-resource-type", "unit_test",
         "--vars", json.dumps({"raw_schema": "raw", "event_lookback_days": lookback}), *extra],
        capture_output=True, text=True, env=env, timeout=600,
    )
    if expect_success and result.returncode != 0:
        raise AssertionError(f"dbt build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def last_log(db_path: Path) -> str:
    log = (db_path.parent / f"{db_path.name}.dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    return log[log.rindex("Running with dbt="):]


def execute(db_path: Path, sql: str, *parameters: object) -> list[tuple]:
    with duckdb.connect(str(db_path)) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def assert_same_as_full_refresh(db_path: Path) -> None:
    """Every table equals what a `--full-refresh` of the same raw tables builds."""
    fresh = db_path.with_name("fresh.duckdb")
    shutil.copy(db_path, fresh)
    shutil.rmtree(fresh.with_name("fresh.duckdb.dbt"), ignore_errors=True)
    dbt_build(fresh, "--full-refresh")
    incremental, full = table_contents(db_path), table_contents(fresh)
    assert sorted(incremental) == sorted(full)
    different = [name for name in full if incremental[name] != full[name]]
    assert not different, f"the incremental build differs from a full refresh in: {different}"


def staged_event_ids(db_path: Path) -> set[str]:
    return {row[0] for row in execute(db_path, "select event_id from main.stg_product__events")}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A generated data set as text tables in schema raw of a new DuckDB file."""
    from plg.generate import generate

    folder = tmp_path_factory.mktemp("lookback")
    generate(folder / "raw", accounts=150, seed=23, fmt="csv")
    db_path = folder / "kpis.duckdb"
    with duckdb.connect(str(db_path)) as connection:
        connection.execute("create schema raw")
        for table in RAW_TABLES:
            connection.execute(f"create table raw.{table} as select * from read_csv(?, header = true, all_varchar = true)",
                               [str(folder / "raw" / f"{table}.csv")])
    return db_path


def test_lookback_reads_the_last_days_and_equals_a_full_refresh(warehouse: Path) -> None:
    db_path = warehouse
    dbt_build(db_path)
    assert "Input checks: product_events, every row" in last_log(db_path)
    last_day = dt.date.fromisoformat(str(execute(db_path, "select max(occurred_on) from main.stg_product__events")[0][0]))
    first_day = (last_day - dt.timedelta(days=LOOKBACK_DAYS)).isoformat()

    # 1. A new day of events, an exact duplicate of one of them (a loader retry), and a late
    #    event on the look-back's first day, written with an offset that puts its text on the
    #    day before: only the look-back's rows are checked, the days from the late event's on
    #    are reloaded, and every table equals a full refresh.
    new_day = (last_day + dt.timedelta(days=1)).isoformat()
    execute(db_path, "insert into raw.product_events select 'next-' || event_id, user_id, account_id, event_name, "
                     "? || substr(occurred_at, 11) from raw.product_events where occurred_at like ? || '%'", new_day, last_day.isoformat())
    execute(db_path, "insert into raw.product_events select * from raw.product_events where event_id like 'next-%' order by event_id limit 1")
    day_before_first = (dt.date.fromisoformat(first_day) - dt.timedelta(days=1)).isoformat()
    execute(db_path, "insert into raw.product_events select 'late-' || event_id, user_id, account_id, 'paywall_hit', ? "
                     "from raw.product_events order by event_id limit 1", f"{day_before_first}T20:00:00-08:00")
    dbt_build(db_path)
    assert f"Input checks: product_events, the rows from {first_day} on (var event_lookback_days)" in last_log(db_path)
    assert str(execute(db_path, "select reload_from from main.base_product__events_reload")[0][0]) == first_day
    assert any(event_id.startswith("late-") for event_id in staged_event_ids(db_path))
    assert_same_as_full_refresh(db_path)

    # 2. A row without a timestamp, or with one not written as a date (epoch seconds sort
    #    before every date), has no day to place it before the look-back: each is found alone,
    #    named, and nothing is built.
    before = table_contents(db_path)
    for occurred_at, problem in ((None, "1 row with no value"), ("1764806400", "1 row with a value that is not a readable timestamp")):
        execute(db_path, "insert into raw.product_events values ('bad-1', 'u', 'a', 'paywall_hit', ?)", occurred_at)
        failed = dbt_build(db_path, expect_success=False)
        assert failed.returncode != 0
        assert f"product_events.occurred_at: {problem}" in failed.stdout
        assert table_contents(db_path) == before
        execute(db_path, "delete from raw.product_events where event_id = 'bad-1'")


def test_lookback_leaves_earlier_days_to_a_full_refresh(warehouse: Path) -> None:
    db_path = warehouse
    dbt_build(db_path)
    last_day = dt.date.fromisoformat(str(execute(db_path, "select max(occurred_on) from main.stg_product__events")[0][0]))
    old = (last_day - dt.timedelta(days=LOOKBACK_DAYS + 10)).isoformat()

    # 1. An event older than the look-back, loaded late, is not read (the documented limit);
    #    `--full-refresh` reads it.
    execute(db_path, "insert into raw.product_events select 'old-' || event_id, user_id, account_id, event_name, ? || 'T12:00:00Z' "
                     "from raw.product_events order by event_id limit 1", old)
    dbt_build(db_path)
    assert not any(event_id.startswith("old-") for event_id in staged_event_ids(db_path))
    dbt_build(db_path, "--full-refresh")
    assert any(event_id.startswith("old-") for event_id in staged_event_ids(db_path))

    # 2. An old event moved into the look-back: its staged row would stay beside the new one,
    #    so the build stops and says to build with --full-refresh; that build counts it once.
    moved = execute(db_path, "select event_id from raw.product_events where occurred_at < ? order by event_id limit 1", old)[0][0]
    execute(db_path, "update raw.product_events set occurred_at = ? where event_id = ?", f"{last_day.isoformat()}T23:00:00Z", moved)
    before = table_contents(db_path)
    failed = dbt_build(db_path, expect_success=False)
    assert failed.returncode != 0
    assert "staged before with other values" in failed.stdout and "--full-refresh" in failed.stdout
    assert moved in failed.stdout
    assert table_contents(db_path) == before
    dbt_build(db_path, "--full-refresh")
    assert_same_as_full_refresh(db_path)


def test_lookback_setting_is_checked(warehouse: Path) -> None:
    failed = dbt_build(warehouse, lookback=-1, expect_success=False)
    assert failed.returncode != 0
    assert "var 'event_lookback_days' must be a whole number of days" in failed.stdout
