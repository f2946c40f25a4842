"""The benchmark command (benchmarks/run.py) at a small size: it runs every step, and the marts
of `plg build` equal those of the hand-written DuckDB script (benchmarks/direct_marts.sql), a
second implementation of the contract written without dbt, after the full build, after a new
day of events and after a build with nothing new. It exits 1 when a cell differs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
STEPS = ["direct DuckDB script", "plg build (full, with tests)", "plg build after one new day", "plg build with nothing new",
         "plg build, nothing selected"]


def test_benchmark_runs_every_step_and_the_marts_agree(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--accounts", "200", "--runs", "2", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert "Marts equal the direct script's, cell for cell, after every build." in done.stdout
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert [[step["step"] for step in run] for run in figures["runs"]] == [STEPS, STEPS]
    assert [step["step"] for step in figures["medians"]] == STEPS
    full_rows = figures["generate"]["rows"]
    assert full_rows > 0
    for run in figures["runs"]:
        direct, full, new_day, nothing_new, nothing_selected = run
        assert direct["rows"] == full["rows"] == full_rows
        assert 0 < new_day["rows"] < full_rows and nothing_new["rows"] == nothing_selected["rows"] == 0
        assert full["ratio"] == full["seconds"] / direct["seconds"]
        assert new_day["ratio"] == new_day["seconds"] / full["seconds"]
        assert nothing_selected["ratio"] == nothing_selected["seconds"] / full["seconds"]
    # The last run's full build went into a new database with no saved dbt parse: its dbt log
    # holds that run's four builds only, the first of them parsing the project in full. The
    # last ran no hook and no node, from the saved parse.
    log = (tmp_path / "plg.duckdb.dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    builds = log.split("Running with dbt=")[1:]
    assert len(builds) == 4
    assert "Unable to do partial parsing because saved manifest not found" in builds[0]
    assert "does not match any enabled nodes" in builds[3] and "Nothing to do" in builds[3]
    assert "Unable to do partial parsing" not in builds[3]
    assert "on-run-start" not in builds[3] and "Input checks" not in builds[3]


def test_benchmark_with_one_file_a_day(tmp_path: Path) -> None:
    """--daily-files: the events are written again as one file per UTC day before the runs, the
    layout a nightly loader leaves, and the marts still agree after every build."""
    import duckdb

    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--accounts", "200", "--runs", "1", "--daily-files", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert "Marts equal the direct script's, cell for cell, after every build." in done.stdout
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    folder = tmp_path / "raw" / "product_events"
    day_files = sorted(folder.glob("day-*.parquet"))
    assert len(day_files) > 100
    assert sorted(path.name for path in folder.iterdir()) == sorted([path.name for path in day_files] + ["part-next-day.parquet"])
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    files = ", ".join(f"'{path}'" for path in day_files)
    # Every event is in the file of its UTC day, and none was lost or added by the split.
    misplaced, rows = connection.execute(
        "select count(*) filter (where filename <> concat('" + str(folder) + "/day-', "
        "cast(cast(timezone('UTC', cast(replace(occurred_at, ',', '.') as timestamptz)) as date) as varchar), '.parquet')), "
        f"count(*) from read_parquet([{files}], filename = true)").fetchone()
    assert misplaced == 0
    assert rows == figures["generate"]["rows"]
