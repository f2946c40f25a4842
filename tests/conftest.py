"""Shared helpers for the end-to-end tests: run the `plg` CLI as a user would, read marts back.

Builds run `python -m plg` in a child process (one dbt invocation per process, exactly as a
user's shell would), with a non-UTC time zone so that the machine's TZ is proven not to matter.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

TESTS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS_DIR))

from reference_kpis import MART_KEYS, compare_marts, compute_kpis  # noqa: E402

# Every mart the KPI contract names.
CONTRACT_MARTS = tuple(MART_KEYS)


def run_plg(*args: str, tz: str = "America/Los_Angeles", cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the CLI in a child process and return its result (stdout, stderr, returncode)."""
    env = dict(os.environ)
    env["TZ"] = tz
    env["LC_ALL"] = env.get("LC_ALL", "C.UTF-8")
    env.pop("PLG_DB_PATH", None)
    return subprocess.run(
        [sys.executable, "-m", "plg", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
    )


def build(data_dir: Path, db_path: Path, *extra: str, expect_success: bool = True, **kwargs: Any) -> subprocess.CompletedProcess:
    result = run_plg("build", "--data-dir", str(data_dir), "--db", str(db_path), *extra, **kwargs)
    if expect_success and result.returncode != 0:
        raise AssertionError(f"plg build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def read_mart(db_path: Path, mart: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        cursor = connection.execute(f"select * from main.{mart} order by all")
        names = [description[0] for description in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def last_build_log(db_path: Path) -> str:
    """The dbt log lines of the last build into `db_path` (its artifacts folder is <db>.dbt)."""
    log = (db_path.parent / f"{db_path.name}.dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    return log[log.rindex("Running with dbt="):]


def mart_fingerprints(db_path: Path) -> dict[str, str]:
    """A digest of every mart's full contents (sorted rows), to prove a mart did not change."""
    prints = {}
    with duckdb.connect(str(db_path), read_only=True) as connection:
        tables = [row[0] for row in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main' and table_name like 'fct_%' order by 1"
        ).fetchall()]
        for table in tables:
            rows = connection.execute(f"select * from main.{table} order by all").fetchall()
            prints[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


# The tables that record what the incremental models were built from differ on purpose
# between a first build and a later one; everything else must be identical.
BOOKKEEPING = ("base_product__events_reload", "int_event_models_reload",
               "int_event_models_applied_days", "int_event_models_applied_plans")


def table_contents(db_path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        names = [row[0] for row in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()]
        return {name: connection.execute(f"select * from main.{name} order by all").fetchall()
                for name in names if name not in BOOKKEEPING}


def assert_marts_match_reference(data_dir: Path, db_path: Path, settings: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every cell of every contract mart equals the independent implementation's (to 0.01)."""
    expected = compute_kpis(data_dir, settings)
    problems = []
    for mart in CONTRACT_MARTS:
        differences = compare_marts(expected[mart], read_mart(db_path, mart), MART_KEYS[mart])
        problems += [f"{mart}: {difference}" for difference in differences[:10]]
    assert not problems, "marts differ from the reference:\n" + "\n".join(problems)
    return expected


@pytest.fixture(scope="session")
def generated_csv(tmp_path_factory) -> Path:
    """A generated data set (CSV) with every edge case the generator places."""
    from plg.generate import generate

    folder = tmp_path_factory.mktemp("generated") / "raw"
    generate(folder, accounts=400, seed=7, fmt="csv")
    return folder


@pytest.fixture(scope="session")
def built_generated(generated_csv: Path, tmp_path_factory) -> Path:
    """The generated data set built once through `plg build`."""
    db_path = tmp_path_factory.mktemp("built") / "kpis.duckdb"
    build(generated_csv, db_path)
    return db_path
