"""The same project on PostgreSQL and Apache Spark: one generated data set loaded through
`plg build --target postgres|spark --data-dir`, and every cell of every contract mart compared
with the independent implementation in reference_kpis.py (not the project's SQL).

Each engine runs only where it is available, so that the suite also runs on a laptop without
the servers: PostgreSQL when PLG_TEST_POSTGRES=1 (and PLG_PG_HOST, PLG_PG_PORT, PLG_PG_USER,
PLG_PG_PASSWORD, PLG_PG_DATABASE point at a server), Spark when PLG_TEST_SPARK=1 (pyspark and
Java 17 installed). CI sets them (.ci/engines.sh starts a throwaway server). Builds, reports and
trees run the `plg` CLI in a child process with a non-UTC time zone, as a user's shell would.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from conftest import CONTRACT_MARTS
from reference_kpis import MART_KEYS, TABLE_COLUMNS, compare_marts, compute_kpis

TINY = Path(__file__).parent / "data" / "tiny"

requires_postgres = pytest.mark.skipif(
    os.environ.get("PLG_TEST_POSTGRES") != "1",
    reason="PostgreSQL tests need a server: set PLG_TEST_POSTGRES=1 and PLG_PG_HOST, PLG_PG_PORT, PLG_PG_USER, "
    "PLG_PG_PASSWORD, PLG_PG_DATABASE (.ci/engines.sh starts one)",
)
requires_spark = pytest.mark.skipif(
    os.environ.get("PLG_TEST_SPARK") != "1",
    reason="Spark tests need pyspark and Java 17: pip install '.[spark]' and set PLG_TEST_SPARK=1",
)


def run_plg(*args: str, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    """The CLI in a child process, with the given environment on top of this one's. It runs in
    the folder PLG_TEST_WORKDIR of `env`, where dbt's artifacts (plg-<target>.dbt/) go."""
    child_env = {**os.environ, "TZ": "America/Los_Angeles", "LC_ALL": os.environ.get("LC_ALL", "C.UTF-8"), **env}
    return subprocess.run([sys.executable, "-m", "plg", *args], capture_output=True, text=True, env=child_env,
                          cwd=env["PLG_TEST_WORKDIR"], timeout=timeout)


def succeeded(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    assert "Traceback" not in result.stderr, result.stderr[-6000:]
    return result


def reported_marts(target: str, env: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Every contract mart, read from the engine by `plg report --target ... --format json`."""
    payload = json.loads(succeeded(run_plg("report", "--target", target, "--format", "json", env=env)).stdout)
    return {section["mart"]: section["rows"] for section in payload.values()}


def assert_match_reference(expected: dict[str, list[dict[str, Any]]], actual: dict[str, list[dict[str, Any]]]) -> None:
    problems = []
    for mart in CONTRACT_MARTS:
        assert mart in actual, f"{mart} was not read"
        differences = compare_marts(expected[mart], actual[mart], MART_KEYS[mart])
        problems += [f"{mart}: {difference}" for difference in differences[:10]]
    assert not problems, "marts differ from the reference:\n" + "\n".join(problems)


def with_more_events(data_dir: Path, folder: Path) -> Path:
    """The data set plus a new day of events (a new file) and late events in an old month (one
    written with a lower-case `t` and `z`, as ISO 8601 allows)."""
    import csv

    shutil.copytree(data_dir, folder)
    with open(folder / "product_events.csv", newline="", encoding="utf-8") as handle:
        header, *events = list(csv.reader(handle))
    last_day = max(row[4][:10] for row in events)
    activation = next(row for row in events if row[3] in ("dashboard_built", "report_shared") and row[4] > "2025-04")
    new_rows = [[f"next-{row[0]}", row[1], row[2], row[3], "2026-01-01" + row[4][10:]]
                for row in events if row[4].startswith(last_day)]
    late_rows = [["late-1", activation[1], activation[2], activation[3], "2025-03-14T08:00:00+02:00"],
                 ["late-2", activation[1], activation[2], "paywall_hit", "2025-03-14t09:00:00z"]]
    (folder / "product_events").mkdir()
    for name, rows in (("day-2026-01-01.csv", new_rows), ("late.csv", late_rows)):
        with open(folder / "product_events" / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *rows])
    return folder


# Logged by the input checks of a build with a look-back of 3 days after with_one_more_day.
LOOKBACK_CHECKS = "Input checks: product_events, the rows from 2025-12-29 on (var event_lookback_days)"


def with_one_more_day(folder: Path) -> None:
    """Into with_more_events' folder: the day after its new day (2026-01-02), and a late event
    on 2025-12-29 written with an offset that puts its text on the day before; a look-back of 3
    days from the last staged day (2026-01-01) starts on 2025-12-29."""
    import csv

    with open(folder / "product_events" / "day-2026-01-01.csv", newline="", encoding="utf-8") as handle:
        header, *last_day = list(csv.reader(handle))
    day_after = [[f"after-{row[0]}", row[1], row[2], row[3], "2026-01-02" + row[4][10:]] for row in last_day]
    late = [["late-3", last_day[0][1], last_day[0][2], "paywall_hit", "2025-12-28T20:00:00-08:00"]]
    with open(folder / "product_events" / "day-2026-01-02.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *day_after, *late])


@pytest.fixture(scope="module")
def engine_data(tmp_path_factory) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """One generated data set (CSV, every edge case the generator places) and its reference marts."""
    from plg.generate import generate

    folder = tmp_path_factory.mktemp("engines") / "raw"
    generate(folder, accounts=150, seed=7, fmt="csv")
    expected = compute_kpis(folder)
    assert all(expected[mart] for mart in CONTRACT_MARTS)
    return folder, expected


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------


class Postgres:
    """A connection to the test server (the engine's own client), for reading marts directly."""

    def __init__(self) -> None:
        import psycopg2

        self.connection = psycopg2.connect(
            host=os.environ.get("PLG_PG_HOST", "127.0.0.1"), port=int(os.environ.get("PLG_PG_PORT", "5432")),
            user=os.environ.get("PLG_PG_USER", "postgres"), password=os.environ.get("PLG_PG_PASSWORD", ""),
            dbname=os.environ.get("PLG_PG_DATABASE", "postgres"), options="-c TimeZone=UTC")
        self.connection.autocommit = True

    def rows(self, schema: str, table: str) -> list[dict[str, Any]]:
        with self.connection.cursor() as cursor:
            cursor.execute(f'select * from "{schema}"."{table}"')
            names = [description[0] for description in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def fingerprints(self, schema: str) -> dict[str, str]:
        """A digest of every mart's full contents (sorted rows), to prove a mart did not change."""
        with self.connection.cursor() as cursor:
            cursor.execute("select table_name from information_schema.tables where table_schema = %s "
                           "and table_name like 'fct%%' order by 1", [schema])
            tables = [row[0] for row in cursor.fetchall()]
        return {table: hashlib.sha256(repr(sorted(repr(row) for row in self.rows(schema, table))).encode()).hexdigest()
                for table in tables}

    def drop(self, *schemas: str) -> None:
        with self.connection.cursor() as cursor:
            for schema in schemas:
                cursor.execute(f'drop schema if exists "{schema}" cascade')


@pytest.fixture(scope="module")
def postgres() -> Postgres:
    database = Postgres()
    yield database
    database.connection.close()


@pytest.fixture(scope="module")
def postgres_built(engine_data, postgres: Postgres, tmp_path_factory) -> dict[str, str]:
    """The generated data set loaded and built on PostgreSQL, in a schema of its own."""
    schema = f"plg_test_{uuid.uuid4().hex[:8]}"
    env = {"PLG_SCHEMA": schema, "PLG_TEST_WORKDIR": str(tmp_path_factory.mktemp("postgres"))}
    succeeded(run_plg("build", "--target", "postgres", "--data-dir", str(engine_data[0]), env=env))
    yield env
    postgres.drop(schema, f"{schema}_raw")


@requires_postgres
def test_postgres_marts_match_reference(engine_data, postgres_built: dict[str, str], postgres: Postgres) -> None:
    _, expected = engine_data
    schema = postgres_built["PLG_SCHEMA"]
    assert_match_reference(expected, {mart: postgres.rows(schema, mart) for mart in CONTRACT_MARTS})
    # The CLI reads the same marts through the dbt adapter's connection.
    assert_match_reference(expected, reported_marts("postgres", postgres_built))
    tree = json.loads(succeeded(run_plg("tree", "--target", "postgres", "--format", "json", env=postgres_built)).stdout)
    assert tree["label"].startswith("Revenue metric tree")


@requires_postgres
def test_postgres_raw_tables_are_text(postgres_built: dict[str, str], postgres: Postgres) -> None:
    raw_schema = postgres_built["PLG_SCHEMA"] + "_raw"
    with postgres.connection.cursor() as cursor:
        cursor.execute("select table_name, column_name, data_type from information_schema.columns "
                       "where table_schema = %s", [raw_schema])
        columns = cursor.fetchall()
    assert {row[0] for row in columns} == set(TABLE_COLUMNS)
    assert {row[2] for row in columns} == {"text"}


@requires_postgres
def test_postgres_rebuilds_from_the_tables_already_loaded(postgres_built: dict[str, str], postgres: Postgres) -> None:
    schema = postgres_built["PLG_SCHEMA"]
    before = postgres.fingerprints(schema)
    result = succeeded(run_plg("build", "--target", "postgres", "--raw-schema", f"{schema}_raw", env=postgres_built))
    assert "Build succeeded" in result.stdout
    assert postgres.fingerprints(schema) == before


@requires_postgres
def test_postgres_incremental_build_after_new_events(engine_data, postgres_built: dict[str, str], postgres: Postgres,
                                                      tmp_path: Path) -> None:
    """A build into the schema of the last one, after a new day and late events: the event
    models reload what changed (the `reload` strategy) and every mart matches the reference."""
    more = with_more_events(engine_data[0], tmp_path / "more")
    succeeded(run_plg("build", "--target", "postgres", "--data-dir", str(more), env=postgres_built))
    schema = postgres_built["PLG_SCHEMA"]
    assert [str(row["reload_from"]) for row in postgres.rows(schema, "base_product__events_reload")] == ["2025-03-14"]
    assert_match_reference(compute_kpis(more), {mart: postgres.rows(schema, mart) for mart in CONTRACT_MARTS})


@requires_postgres
def test_postgres_lookback_build_after_new_events(engine_data, postgres_built: dict[str, str], postgres: Postgres,
                                                  tmp_path: Path) -> None:
    """With var event_lookback_days, a build reads and checks only the look-back's events (its
    SQL on PostgreSQL): after one more day and a late event inside the look-back, every mart
    matches the reference, and only the days from the late event's on are reloaded."""
    more = with_more_events(engine_data[0], tmp_path / "more")
    succeeded(run_plg("build", "--target", "postgres", "--data-dir", str(more), env=postgres_built))
    with_one_more_day(more)
    result = succeeded(run_plg("build", "--target", "postgres", "--data-dir", str(more),
                               "--vars", json.dumps({"event_lookback_days": 3}), env=postgres_built))
    assert LOOKBACK_CHECKS in result.stderr
    schema = postgres_built["PLG_SCHEMA"]
    assert [str(row["reload_from"]) for row in postgres.rows(schema, "base_product__events_reload")] == ["2025-12-29"]
    assert_match_reference(compute_kpis(more), {mart: postgres.rows(schema, mart) for mart in CONTRACT_MARTS})


@requires_postgres
def test_postgres_refuses_broken_input_and_keeps_marts(tmp_path: Path, postgres: Postgres) -> None:
    schema = f"plg_test_{uuid.uuid4().hex[:8]}"
    env = {"PLG_SCHEMA": schema, "PLG_TEST_WORKDIR": str(tmp_path)}
    try:
        succeeded(run_plg("build", "--target", "postgres", "--data-dir", str(TINY), env=env))
        before = postgres.fingerprints(schema)
        assert len(before) >= 8

        broken = tmp_path / "broken"
        shutil.copytree(TINY, broken)
        with open(broken / "subscription_changes.csv", "a", encoding="utf-8") as handle:
            handle.write("c9,a2,u2,2025-03-01T00:00:00Z,starter,platinum,49,999,1,1,self_serve\n")
        with open(broken / "sales_touches.csv", "a", encoding="utf-8") as handle:
            handle.write("t2,a1,yesterday,call,sales\nt3,a1,2025-13-45T00:00:00Z,call,sales\n")
        # e1 again with other values (a conflict), e2 again with the same instant written in UTC
        # (the same row once typed: not a conflict).
        with open(broken / "product_events.csv", "a", encoding="utf-8") as handle:
            handle.write("e1,u1,a1,dashboard_built,2025-01-09T10:00:00Z\n"
                         "e2,u1,a1,pricing_page_viewed,2025-01-06T08:00:00Z\n")
        result = run_plg("build", "--target", "postgres", "--data-dir", str(broken), env=env)

        assert result.returncode == 1, result.stdout + result.stderr
        for words in (["The raw input has 3 problems"],
                      ["subscription_changes.to_plan_id", "1 row", "plans.plan_id", "such as 'platinum'", "c9"],
                      ["sales_touches.touched_at", "2 rows", "timestamp", "t2, t3"],
                      ["product_events.event_id: 2 rows of 1 id with different values (e.g. e1)"]):
            for word in words:
                assert word in result.stderr, f"{word!r} not in:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        assert postgres.fingerprints(schema) == before
    finally:
        postgres.drop(schema, f"{schema}_raw")


def with_a_row_of_another_width(tmp_path: Path) -> Path:
    """The tiny data set with one sales touch of six fields against the header's five."""
    broken = tmp_path / "ragged"
    shutil.copytree(TINY, broken)
    with open(broken / "sales_touches.csv", "a", encoding="utf-8") as handle:
        handle.write("t2,a1,2025-03-01T00:00:00Z,call,sales,extra\n")
    return broken


def assert_row_of_another_width_is_named(result: subprocess.CompletedProcess, broken: Path) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    for words in (str(broken / "sales_touches.csv"), "cannot be read as CSV", "1 row", "line 3 has 6", "header's 5"):
        assert words in result.stderr, f"{words!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.stderr


@requires_postgres
def test_postgres_loader_names_a_csv_row_of_another_width(tmp_path: Path, postgres: Postgres) -> None:
    """The loader reads the files with DuckDB: a row of another width than the header stops the
    load before anything is written, with the file and the line named."""
    schema = f"plg_test_{uuid.uuid4().hex[:8]}"
    broken = with_a_row_of_another_width(tmp_path)
    try:
        result = run_plg("build", "--target", "postgres", "--data-dir", str(broken),
                         env={"PLG_SCHEMA": schema, "PLG_TEST_WORKDIR": str(tmp_path)})
        assert_row_of_another_width_is_named(result, broken)
    finally:
        postgres.drop(schema, f"{schema}_raw")


def test_unreachable_postgres_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("dbt.adapters.postgres", reason="needs dbt-postgres: pip install '.[postgres]'")
    env = {"PLG_PG_HOST": "127.0.0.1", "PLG_PG_PORT": "1", "PLG_SCHEMA": "plg_unreachable",
           "PLG_TEST_WORKDIR": str(tmp_path)}
    for args in (("build", "--target", "postgres", "--data-dir", str(TINY)), ("build", "--target", "postgres"),
                 ("report", "--target", "postgres"), ("tree", "--target", "postgres")):
        result = run_plg(*args, env=env, timeout=120)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "cannot connect to PostgreSQL at 127.0.0.1:1" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------------
# Apache Spark
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark_env(tmp_path_factory) -> dict[str, str]:
    """A Spark warehouse and metastore of their own."""
    folder = tmp_path_factory.mktemp("spark")
    return {"PLG_SPARK_DIR": str(folder / "spark"), "PLG_SCHEMA": "plg", "PLG_TEST_WORKDIR": str(folder)}


@requires_spark
def test_spark_marts_match_reference(engine_data, spark_env: dict[str, str]) -> None:
    data_dir, expected = engine_data
    result = succeeded(run_plg("build", "--target", "spark", "--data-dir", str(data_dir), env=spark_env))
    assert "Build succeeded" in result.stdout
    assert_match_reference(expected, reported_marts("spark", spark_env))
    tree = json.loads(succeeded(run_plg("tree", "--target", "spark", "--format", "json", env=spark_env)).stdout)
    assert tree["label"].startswith("Revenue metric tree")


@requires_spark
def test_spark_incremental_build_after_new_events(engine_data, spark_env: dict[str, str], tmp_path: Path) -> None:
    """A build into the warehouse of the last one, after a new day and late events: the event
    models replace the partitions that changed (insert_overwrite), every mart matches; and so
    after one more day read with a look-back."""
    more = with_more_events(engine_data[0], tmp_path / "more")
    succeeded(run_plg("build", "--target", "spark", "--data-dir", str(more), env=spark_env))
    assert_match_reference(compute_kpis(more), reported_marts("spark", spark_env))
    # With a look-back (var event_lookback_days), after one more day and a late event inside it.
    with_one_more_day(more)
    result = succeeded(run_plg("build", "--target", "spark", "--data-dir", str(more),
                               "--vars", json.dumps({"event_lookback_days": 3}), env=spark_env))
    assert LOOKBACK_CHECKS in result.stderr
    assert_match_reference(compute_kpis(more), reported_marts("spark", spark_env))


@requires_spark
def test_spark_refuses_conflicting_event_ids(tmp_path: Path) -> None:
    """The input checks' SQL on Spark: an event id on two rows with different values stops the
    build (its ids are grouped by Spark's own hash first); the same instant written two ways
    is one row, not a conflict."""
    broken = tmp_path / "broken"
    shutil.copytree(TINY, broken)
    with open(broken / "product_events.csv", "a", encoding="utf-8") as handle:
        handle.write("e1,u1,a1,dashboard_built,2025-01-09T10:00:00Z\n"
                     "e2,u1,a1,pricing_page_viewed,2025-01-06T08:00:00Z\n")
    env = {"PLG_SPARK_DIR": str(tmp_path / "spark"), "PLG_SCHEMA": "plg", "PLG_TEST_WORKDIR": str(tmp_path)}
    result = run_plg("build", "--target", "spark", "--data-dir", str(broken), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The raw input has 1 problem" in result.stderr, result.stderr
    assert "product_events.event_id: 2 rows of 1 id with different values (e.g. e1)" in result.stderr
    assert "Traceback" not in result.stderr


@requires_spark
def test_spark_loader_names_a_csv_row_of_another_width(tmp_path: Path) -> None:
    """Spark's CSV reader would pad a short row with NULLs and cut a long one; the loader reads in
    FAILFAST mode, so such a row stops the load, with the file and the line named."""
    broken = with_a_row_of_another_width(tmp_path)
    env = {"PLG_SPARK_DIR": str(tmp_path / "spark"), "PLG_SCHEMA": "plg", "PLG_TEST_WORKDIR": str(tmp_path)}
    assert_row_of_another_width_is_named(run_plg("build", "--target", "spark", "--data-dir", str(broken), env=env), broken)
