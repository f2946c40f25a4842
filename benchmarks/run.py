"""Benchmark: `plg build` against a hand-written DuckDB script on the same files.

    python benchmarks/run.py --accounts 250000            # about 10 million events
    python benchmarks/run.py --accounts 250000 --runs 3   # the same, medians of three runs
    python benchmarks/run.py --accounts 2500000           # about 100 million events
    python benchmarks/run.py --accounts 250000 --daily-files   # the events as one file a day

The data set is generated once (`plg generate`, Parquet; with --daily-files its events are then
written again as one file per UTC day, untimed). Then, in each run, each step in its
own child process so that wall time and peak memory (RSS) are its own:
1. the direct script (benchmarks/direct_marts.sql), computing the eight contract marts with
   DuckDB alone, no dbt: the engine's own limit for this work;
2. a full `plg build` (every model and data test) into a new database, with no saved dbt parse;
3. one more day of events dropped into product_events/ as a new file, then `plg build` again
   into the same database: the incremental build;
4. `plg build` once more with nothing new: what any build costs on this project (starting dbt,
   the input checks, about 120 nodes), whatever the data;
5. `plg build --select` of a name no node has: no hook, query or node runs, so this is the cost
   of starting Python and dbt and loading dbt's saved parse, which no build can go below.
After 2, 3 and 4 every cell of the eight marts is compared with the direct script's on the same
files (it runs again, untimed, after the new day). A run starts from the generated files, so
runs are alike. Prints, per step, the median wall time, rows per second and peak RSS, and the
median of each run's ratios: the full build against the direct script, the later builds against
the full build. Run it on a quiet machine: timings on a shared one are noisy; compare ratios
within a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIRECT = "direct DuckDB script"
FULL = "plg build (full, with tests)"
NEW_DAY = "plg build after one new day"
NOTHING_NEW = "plg build with nothing new"
DBT_ALONE = "plg build, nothing selected"
# A selector no node of the project matches (plg warns that it built nothing).
NO_NODE = "no_node_has_this_name"
NEXT_DAY_FILE = "part-next-day.parquet"
MARTS = {
    "fct_self_serve_upgrade_rate": ["activation_month"],
    "fct_upgrade_intent_signal_rate": ["activity_month"],
    "fct_self_serve_upsell_revenue": ["revenue_month", "upsell_type"],
    "fct_plan_upgrade_rate": ["period_grain", "period_start", "from_plan_id"],
    "fct_self_serve_expansion_revenue": ["revenue_month", "expansion_type"],
    "fct_mrr_movements": ["revenue_month"],
    "fct_net_revenue_retention": ["revenue_month"],
    "fct_arpa": ["revenue_month"],
}
SETTINGS = {
    "activation_events": ["dashboard_built", "report_shared"],
    "intent_events": ["pricing_page_viewed", "paywall_hit", "usage_limit_warning", "upgrade_cta_clicked"],
    "window_days": 14,
    "lookback_days": 30,
    "change_channel": "self_serve",
    "purchase_channel": "in_product",
    "team_types": ["seats"],
}

# Runs a command and prints its own peak RSS (KiB) as the last line of stderr.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print('peak_rss_kib=%d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measured(command: list[str], label: str) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{label} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    rss = int(done.stderr.strip().splitlines()[-1].split("=")[1])
    return {"step": label, "seconds": seconds, "peak_rss_mib": rss / 1024}


def sql_literal(value) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(sql_literal(item) for item in value) + ")"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def reader(data_dir: Path, table: str) -> str:
    """The files of one raw table, all columns as text (as `plg build` reads them)."""
    parts = []
    csv_files = sorted(data_dir.glob(f"{table}.csv")) + sorted((data_dir / table).glob("*.csv"))
    parquet_files = sorted(data_dir.glob(f"{table}.parquet")) + sorted((data_dir / table).glob("*.parquet"))
    if csv_files:
        names = ", ".join(f"'{path}'" for path in csv_files)
        parts.append(f"select * from read_csv([{names}], header = true, skip = 0, all_varchar = true, delim = ',', "
                     f"quote = '\"', escape = '\"', union_by_name = true)")
    if parquet_files:
        names = ", ".join(f"'{path}'" for path in parquet_files)
        parts.append(f"select columns(*)::varchar from read_parquet([{names}], union_by_name = true)")
    return "(" + " union all by name ".join(parts) + ")"


def direct_script(data_dir: Path) -> str:
    script = (HERE / "direct_marts.sql").read_text()
    for table in ("accounts", "users", "plans", "product_events", "subscription_changes", "upsell_purchases", "sales_touches"):
        script = script.replace(f"read_raw('{table}')", reader(data_dir, table))
    for name, value in sorted(SETTINGS.items(), key=lambda item: -len(item[0])):
        script = script.replace(f"@{name}", sql_literal(value))
    return script


def run_direct(data_dir: Path, db_path: Path, threads: int) -> dict:
    if db_path.exists():
        db_path.unlink()
    script_path = db_path.with_suffix(".sql")
    script_path.write_text(f"set threads = {threads};\n" + direct_script(data_dir))
    code = (
        "import duckdb, sys\n"
        "connection = duckdb.connect(sys.argv[1])\n"
        "connection.execute(open(sys.argv[2]).read())\n"
        "connection.close()\n"
    )
    return measured([sys.executable, "-c", code, str(db_path), str(script_path)], DIRECT)


def compare(direct_db: Path, plg_db: Path) -> list[str]:
    import duckdb

    differences = []
    connection = duckdb.connect(str(direct_db), read_only=True)
    connection.execute(f"attach '{plg_db}' as built (read_only)")
    for mart, keys in MARTS.items():
        columns = [row[0] for row in connection.execute(f"describe direct_fct_{mart[4:]}").fetchall()]
        rounded = ", ".join(
            f"round(cast({column} as double), 6) as {column}" if column not in keys else column for column in columns
        )
        query = (
            f"select count(*) from ((select {rounded} from direct_fct_{mart[4:]} except select {rounded} from built.main.{mart})"
            f" union all (select {rounded} from built.main.{mart} except select {rounded} from direct_fct_{mart[4:]}))"
        )
        mismatched = connection.execute(query).fetchall()[0][0]
        if mismatched:
            differences.append(f"{mart}: {mismatched} rows differ")
    connection.close()
    return differences


# An event's instant, from its text: ISO 8601 allows a comma before the fractional seconds,
# which DuckDB's cast wants as a point.
EVENT_INSTANT = "timezone('UTC', cast(replace(occurred_at, ',', '.') as timestamptz))"


def event_files(data_dir: Path) -> list[Path]:
    """The generated events' Parquet files, made a folder product_events/ if they were one file."""
    folder = data_dir / "product_events"
    if not folder.is_dir():
        folder.mkdir()
        (data_dir / "product_events.parquet").rename(folder / "part-000.parquet")
    return sorted(folder.glob("*.parquet"))


def split_events_by_day(data_dir: Path) -> int:
    """Write the events again as one Parquet file per UTC day (product_events/day-<date>.parquet),
    as a loader that lands each day in a file of its own leaves them; returns how many files."""
    import duckdb

    files = ", ".join(f"'{path}'" for path in event_files(data_dir))
    by_day = data_dir / "product_events_by_day"
    shutil.rmtree(by_day, ignore_errors=True)
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    connection.execute(f"""
        copy (select *, cast({EVENT_INSTANT} as date) as plg_day from read_parquet([{files}], union_by_name = true))
        to '{by_day}' (format parquet, partition_by (plg_day))
    """)
    connection.close()
    folder = data_dir / "product_events"
    shutil.rmtree(folder)
    folder.mkdir()
    written = sorted(by_day.glob("plg_day=*/*.parquet"))
    for path in written:
        day = path.parent.name.split("=", 1)[1]
        path.rename(folder / (f"day-{day}.parquet" if path.name == "data_0.parquet" else f"day-{day}-{path.name}"))
    shutil.rmtree(by_day)
    return len(written)


def add_one_day(data_dir: Path) -> int:
    """Copy the last day's events one day later, with new ids, as a new file in product_events/."""
    import duckdb

    folder = data_dir / "product_events"
    files = ", ".join(f"'{path}'" for path in event_files(data_dir))
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    rows = connection.execute(f"""
        copy (
            with events as (select * from read_parquet([{files}], union_by_name = true)),
            last_day as (select max(cast({EVENT_INSTANT} as date)) as day from events)
            select 'next-day-' || event_id as event_id, user_id, account_id, event_name,
                   strftime({EVENT_INSTANT} + interval 1 day, '%Y-%m-%dT%H:%M:%SZ') as occurred_at
            from events, last_day
            where cast({EVENT_INSTANT} as date) = last_day.day
        ) to '{folder / NEXT_DAY_FILE}' (format parquet)
    """).fetchall()
    connection.close()
    return rows[0][0] if rows else 0


def remove_database(db_path: Path) -> None:
    """The database, and the artifacts and spill folders `plg build` keeps beside it."""
    db_path.unlink(missing_ok=True)
    for suffix in (".dbt", ".tmp"):
        shutil.rmtree(db_path.with_name(db_path.name + suffix), ignore_errors=True)


def one_run(plg: list[str], data_dir: Path, plg_db: Path, direct_db: Path, threads: int, events: int) -> tuple[list[dict], list[str]]:
    """The five timed steps of one run, and the marts' differences with the direct script."""
    (data_dir / "product_events" / NEXT_DAY_FILE).unlink(missing_ok=True)
    remove_database(plg_db)
    build = plg + ["build", "--data-dir", str(data_dir), "--db", str(plg_db), "--threads", str(threads)]
    steps = [run_direct(data_dir, direct_db, threads) | {"rows": events}]
    steps.append(measured(build, FULL) | {"rows": events})
    differences = compare(direct_db, plg_db)

    new_events = add_one_day(data_dir)
    steps.append(measured(build, NEW_DAY) | {"rows": new_events})
    run_direct(data_dir, direct_db, threads)
    differences += [f"after the new day: {difference}" for difference in compare(direct_db, plg_db)]

    steps.append(measured(build, NOTHING_NEW) | {"rows": 0})
    differences += [f"after a build with nothing new: {difference}" for difference in compare(direct_db, plg_db)]
    steps.append(measured(build + ["--select", NO_NODE], DBT_ALONE) | {"rows": 0})
    direct, full = steps[0]["seconds"], steps[1]["seconds"]
    for step in steps:
        step["ratio"] = step["seconds"] / (direct if step["step"] in (DIRECT, FULL) else full)
    return steps, differences


def median_steps(runs: list[list[dict]]) -> list[dict]:
    """Per step, the median of its seconds, peak RSS and ratio over the runs."""
    return [
        {
            "step": steps[0]["step"],
            "rows": steps[0]["rows"],
            "seconds": statistics.median(step["seconds"] for step in steps),
            "peak_rss_mib": statistics.median(step["peak_rss_mib"] for step in steps),
            "ratio": statistics.median(step["ratio"] for step in steps),
        }
        for steps in zip(*runs)
    ]


def print_table(generated: dict, medians: list[dict]) -> None:
    print(f"{'step':<34}{'rows':>14}{'seconds':>10}{'rows/s':>14}{'peak RSS':>12}  ratio")
    for result in [generated, *medians]:
        rows = result.get("rows", 0)
        if "ratio" not in result:  # the data generation: no ratio
            ratio = ""
        elif result["step"] == DIRECT:
            ratio = "1.00 (the base)"
        elif result["step"] == FULL:
            ratio = f"{result['ratio']:.2f}x the direct script"
        else:
            ratio = f"{result['ratio']:.2f} of the full build"
        print(f"{result['step']:<34}{rows:>14,}{result['seconds']:>10.1f}{rows / result['seconds']:>14,.0f}"
              f"{result['peak_rss_mib']:>9,.0f} MiB  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=250_000, help="accounts to generate (about 40 events each)")
    parser.add_argument("--runs", type=int, default=1, help="runs of the five steps; the table shows medians")
    parser.add_argument("--workdir", type=Path, default=None, help="where data and databases go (default: a temp folder)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--daily-files", action="store_true",
                        help="write the generated events again as one file per day (product_events/day-<date>.parquet) "
                             "before the runs, as a loader that lands each day in a file of its own leaves them")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="plg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir, plg_db, direct_db = workdir / "raw", workdir / "plg.duckdb", workdir / "direct.duckdb"
    plg = [sys.executable, "-m", "plg"]
    runs: list[list[dict]] = []
    differences: list[str] = []
    try:
        shutil.rmtree(data_dir, ignore_errors=True)
        generated = measured(plg + ["generate", "--out", str(data_dir), "--accounts", str(args.accounts),
                                    "--format", "parquet"], "generate (Parquet)")
        layout = "product_events as the generator writes it"
        if args.daily_files:
            layout = f"product_events as {split_events_by_day(data_dir)} daily files"
            print(f"{layout} (not timed)", flush=True)
        import duckdb

        events = duckdb.connect().execute(
            f"select count(*) from read_parquet('{data_dir}/product_events*/**.parquet')" if (data_dir / "product_events").is_dir()
            else f"select count(*) from read_parquet('{data_dir}/product_events.parquet')").fetchall()[0][0]
        generated["rows"] = events
        for number in range(1, args.runs + 1):
            steps, found = one_run(plg, data_dir, plg_db, direct_db, args.threads, events)
            runs.append(steps)
            differences += [f"run {number}: {difference}" for difference in found]
            print(f"run {number}: " + ", ".join(f"{step['step']} {step['seconds']:.1f} s" for step in steps)
                  + f"; full build {steps[1]['ratio']:.2f}x the direct script, after a new day "
                  f"{steps[2]['ratio']:.2f} of the full build, nothing new {steps[3]['ratio']:.2f}, "
                  f"nothing selected {steps[4]['ratio']:.2f}", flush=True)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d}; {layout}; " + ("one run" if len(runs) == 1 else f"medians of {len(runs)} runs"))
    medians = median_steps(runs)
    print_table(generated, medians)
    print("\nMarts equal the direct script's, cell for cell, after every build." if not differences
          else "\nDIFFERENCES:\n" + "\n".join(differences))
    print(json.dumps({"generate": generated, "runs": runs, "medians": medians}))
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
