"""Incremental builds: after each kind of change to the input, a build into the database of the
last build gives exactly what a full build of the same input gives, and it reloads only what
changed.

One database is carried through a sequence of changes (a new day, late events in an old month,
a late change to an old plan history, a file of events taken away, a different setting); after
each, every table the build makes is compared, row for row, with a fresh full build, and the
marts with the independent reference implementation.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import assert_marts_match_reference, build, last_build_log, table_contents
from reference_kpis import next_month

# Logged by the input checks when they read only the rows of new files of events.
CHECKED_NEW_FILES_ONLY = "Input checks: product_events, the rows of its"

def reload_points(db_path: Path) -> dict[str, object]:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        events = connection.execute("select reload_from from main.base_product__events_reload").fetchall()[0][0]
        models = connection.execute(
            "select activations_reload_from, activity_reload_from from main.int_event_models_reload").fetchall()[0]
    return {"events": events and str(events), "activations": models[0] and str(models[0]),
            "activity": models[1] and str(models[1])}


def assert_same_as_full_build(data_dir: Path, db_path: Path, work: Path, *extra: str, settings: dict | None = None) -> None:
    fresh = work / "fresh.duckdb"
    if fresh.exists():
        fresh.unlink()
    build(data_dir, fresh, *extra)
    incremental, full = table_contents(db_path), table_contents(fresh)
    assert sorted(incremental) == sorted(full)
    different = [name for name in full if incremental[name] != full[name]]
    assert not different, f"the incremental build differs from a full build in: {different}"
    assert_marts_match_reference(data_dir, db_path, settings)


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    from plg.generate import generate

    folder = tmp_path_factory.mktemp("incremental")
    generate(folder / "raw", accounts=150, seed=11, fmt="csv")
    return folder


def test_incremental_builds_equal_full_builds(work: Path) -> None:
    raw, db_path = work / "raw", work / "kpis.duckdb"
    build(raw, db_path)
    header, events = read_rows(raw / "product_events.csv")
    last_day = max(row[4][:10] for row in events)

    # 1. Nothing changed: nothing is reloaded (the event models from the month after the last).
    build(raw, db_path)
    month_after = next_month(dt.date.fromisoformat(last_day)).isoformat()
    assert reload_points(db_path) == {"events": None, "activations": month_after, "activity": month_after}

    # 2. A new day of events in a new file, and a self-serve upgrade that day: only that day's
    #    events are reloaded, and the models built on them from its month on.
    new_day = [[f"next-{row[0]}", row[1], row[2], row[3], "2026-01-01" + row[4][10:]]
               for row in events if row[4].startswith(last_day)]
    assert new_day
    write_rows(raw / "product_events" / "day-2026-01-01.csv", header, new_day)
    change_header, changes = read_rows(raw / "subscription_changes.csv")
    free_account = next(row[2] for row in new_day)
    changes.append(["chg-next-day", free_account, new_day[0][1], "2026-01-01T12:00:00Z",
                    "free", "starter", "0.00", "60.00", "0", "5", "self_serve"])
    write_rows(raw / "subscription_changes.csv", change_header, changes)
    build(raw, db_path)
    assert reload_points(db_path)["events"] == "2026-01-01"
    assert reload_points(db_path)["activations"] == "2026-01-01"
    assert "Input checks: product_events, the rows of its 1 new file(s) only" in last_build_log(db_path)
    assert_same_as_full_build(raw, db_path, work)

    # 2b. That file rewritten in place, one event altered: its day is reloaded, and every row
    #     is checked again (a file the last build read has changed).
    altered = [row[:3] + ["paywall_hit"] + row[4:] if index == 0 else row for index, row in enumerate(new_day)]
    write_rows(raw / "product_events" / "day-2026-01-01.csv", header, altered)
    build(raw, db_path)
    assert reload_points(db_path)["events"] == "2026-01-01"
    assert CHECKED_NEW_FILES_ONLY not in last_build_log(db_path)
    assert_same_as_full_build(raw, db_path, work)

    # 3. Late events, months old: an activation earlier than a user's first one, and an
    #    upgrade-intent event of a free account. Their month and every later one are reloaded.
    activated = next(row for row in events if row[3] in ("dashboard_built", "report_shared") and row[4] > "2025-04")
    late = [["late-1", activated[1], activated[2], activated[3], "2025-03-14T08:00:00+02:00"],
            ["late-2", activated[1], activated[2], "paywall_hit", "2025-03-14T09:00:00Z"]]
    write_rows(raw / "product_events" / "late.csv", header, late)
    build(raw, db_path)
    assert reload_points(db_path)["events"] == "2025-03-14"
    assert reload_points(db_path)["activity"] == "2025-03-01"
    assert_same_as_full_build(raw, db_path, work)

    # 4. A late change to an old plan history (a cancellation in February, loaded today):
    #    free-plan activity is judged again from that month on, the events are not reloaded.
    paid = next(row for row in changes if row[5] not in ("free", "trial") and "2025-05" < row[3] < "2025-09")
    changes.append(["chg-late", paid[1], "", "2025-02-10T00:00:00Z", paid[4], paid[5], paid[6], paid[7],
                    paid[8], paid[9], "sales_assisted"])
    write_rows(raw / "subscription_changes.csv", change_header, changes)
    build(raw, db_path)
    assert reload_points(db_path)["events"] is None
    assert reload_points(db_path)["activity"] == "2025-02-01"
    assert_same_as_full_build(raw, db_path, work)

    # 5. Events taken away (a file removed): the days they were on are reloaded.
    (raw / "product_events" / "late.csv").unlink()
    build(raw, db_path)
    assert reload_points(db_path)["events"] == "2025-03-14"
    assert CHECKED_NEW_FILES_ONLY not in last_build_log(db_path)
    assert_same_as_full_build(raw, db_path, work)

    # 6. A different setting: the event models are rebuilt from the start.
    settings = {"upgrade_intent_events": ["paywall_hit"]}
    build(raw, db_path, "--vars", json.dumps(settings))
    assert reload_points(db_path)["activity"] == min(row[4] for row in events)[:7] + "-01"
    assert_same_as_full_build(raw, db_path, work, "--vars", json.dumps(settings), settings=settings)


def test_full_refresh_rebuilds_from_every_row(work: Path, tmp_path: Path) -> None:
    """`--full-refresh` rebuilds the incremental tables from the input, whatever they hold."""
    raw = tmp_path / "raw"
    shutil.copytree(work / "raw", raw)
    db_path = tmp_path / "kpis.duckdb"
    build(raw, db_path)
    with duckdb.connect(str(db_path)) as connection:
        connection.execute("delete from main.stg_product__events where event_name = 'report_shared'")
        connection.execute("delete from main.int_users_active_monthly")
    build(raw, db_path, "--full-refresh")
    assert_same_as_full_build(raw, db_path, tmp_path)


def test_grain_test_of_the_staged_events_can_fail(work: Path, tmp_path: Path) -> None:
    """assert_stg_product__events_grain finds an event_id on two rows when the duplicate is on a
    day the build loaded, and only then. When a build loads every day, the input checks test
    the grain on the raw rows (test_bad_input), and the staged table is not counted again."""
    db_path = tmp_path / "kpis.duckdb"
    build(work / "raw", db_path)
    with duckdb.connect(str(db_path)) as connection:
        day = connection.execute(
            "insert into main.stg_product__events"
            " select event_id, 'someone-else', account_id, event_name, occurred_at, occurred_on"
            " from main.stg_product__events where occurred_on > (select min(occurred_on) from main.stg_product__events)"
            " order by event_id limit 1 returning occurred_on").fetchall()[0][0]

    def grain_test_passes(reload_from: str | None) -> bool:
        with duckdb.connect(str(db_path)) as connection:
            connection.execute("update main.base_product__events_reload set reload_from = ?", [reload_from])
        result = build(work / "raw", db_path, "--select", "assert_stg_product__events_grain", expect_success=False)
        assert "assert_stg_product__events_grain" in result.stdout + result.stderr
        return result.returncode == 0

    assert grain_test_passes("0001-01-01")  # every day loaded: tested by the input checks
    assert not grain_test_passes(str(day))  # the duplicate's day (not the first) among the loaded days
    assert grain_test_passes(str(day + dt.timedelta(days=1)))  # loaded after it
    assert grain_test_passes(None)  # nothing loaded


def test_intent_mart_coverage_test_can_fail(work: Path, tmp_path: Path) -> None:
    """assert_fct_upgrade_intent_signal_rate_covers_every_event_month, which reads the day
    summaries and the user-month table instead of the events, still finds a missing month and
    a count above the month's users with events."""
    db_path = tmp_path / "kpis.duckdb"
    build(work / "raw", db_path)
    test = "assert_fct_upgrade_intent_signal_rate_covers_every_event_month"

    def coverage_test_passes(change: str) -> bool:
        with duckdb.connect(str(db_path)) as connection:
            connection.execute("create or replace table main.saved_rate as select * from main.fct_upgrade_intent_signal_rate")
            connection.execute(change)
        result = build(work / "raw", db_path, "--select", test, expect_success=False)
        with duckdb.connect(str(db_path)) as connection:
            connection.execute("delete from main.fct_upgrade_intent_signal_rate")
            connection.execute("insert into main.fct_upgrade_intent_signal_rate select * from main.saved_rate")
        assert test in result.stdout + result.stderr
        return result.returncode == 0

    first_month = "(select min(activity_month) from main.fct_upgrade_intent_signal_rate)"
    assert coverage_test_passes("select 1")
    assert not coverage_test_passes(f"delete from main.fct_upgrade_intent_signal_rate where activity_month = {first_month}")
    assert not coverage_test_passes("update main.fct_upgrade_intent_signal_rate set active_free_users = active_free_users"
                                    f" + 1000000 where activity_month = {first_month}")


def test_grain_test_of_the_user_months_checks_the_rebuilt_months(work: Path, tmp_path: Path) -> None:
    """assert_int_users_active_monthly_grain finds a user twice in a month the build rebuilt,
    and reads no month before the reload point."""
    db_path = tmp_path / "kpis.duckdb"
    build(work / "raw", db_path)
    with duckdb.connect(str(db_path)) as connection:
        month = connection.execute(
            "insert into main.int_users_active_monthly select * from main.int_users_active_monthly"
            " order by activity_month, user_id limit 1 returning activity_month").fetchall()[0][0]
    test = "assert_int_users_active_monthly_grain"

    def grain_test_passes(reload_from: dt.date | None) -> bool:
        with duckdb.connect(str(db_path)) as connection:
            connection.execute("update main.int_event_models_reload set activity_reload_from = ?", [reload_from])
        result = build(work / "raw", db_path, "--select", test, expect_success=False)
        assert test in result.stdout + result.stderr
        return result.returncode == 0

    assert not grain_test_passes(month)
    assert grain_test_passes(next_month(month))
    assert grain_test_passes(None)
