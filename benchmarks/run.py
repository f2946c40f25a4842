"""Benchmark: `plg build` against a hand-written DuckDB script on the same files.

    python benchmarks/run.py --accounts 250000          # about 10 million events
    python benchmarks/run.py --accounts 2500000         # about 100 million events

Steps, each in its own child process so that wall time and peak memory (RSS) are its own:
1. generate the data set as Parquet (`plg generate`);
2. the direct script (benchmarks/direct_marts.sql), computing the eight contract marts with
   DuckDB alone, no dbt: the engine's own limit for this work;
3. a full `plg build` (every model and data test);
4. one more day of events dropped into product_events/ as a new file, then `plg build` again.
After 2 and 3 (and again after 4) every cell of the eight marts is compared between the two.
Prints a table of wall time, rows per second and peak RSS. Run it on a quiet machine: timings
on a shared one are noisy; compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
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
        parts.append(f"select * from read_csv([{names}], header = true, all_varchar = true, union_by_name = true)")
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
    return measured([sys.executable, "-c", code, str(db_path), str(script_path)], "direct DuckDB script")


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


def add_one_day(data_dir: Path) -> int:
    """Copy the last day's events one day later, with new ids, as a new file in product_events/."""
    import duckdb

    folder = data_dir / "product_events"
    if not folder.is_dir():
        folder.mkdir()
        (data_dir / "product_events.parquet").rename(folder / "part-000.parquet")
    files = ", ".join(f"'{path}'" for path in sorted(folder.glob("*.parquet")))
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    rows = connection.execute(f"""
        copy (
            with events as (select * from read_parquet([{files}], union_by_name = true)),
            last_day as (select max(cast(timezone('UTC', cast(occurred_at as timestamptz)) as date)) as day from events)
            select 'next-day-' || event_id as event_id, user_id, account_id, event_name,
                   strftime(timezone('UTC', cast(occurred_at as timestamptz)) + interval 1 day, '%Y-%m-%dT%H:%M:%SZ') as occurred_at
            from events, last_day
            where cast(timezone('UTC', cast(occurred_at as timestamptz)) as date) = last_day.day
        ) to '{folder / "part-next-day.parquet"}' (format parquet)
    """).fetchall()
    connection.close()
    return rows[0][0] if rows else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=250_000, help="accounts to generate (about 40 events each)")
    parser.add_argument("--workdir", type=Path, default=None, help="where data and databases go (default: a temp folder)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="plg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir, plg_db, direct_db = workdir / "raw", workdir / "plg.duckdb", workdir / "direct.duckdb"
    plg = [sys.executable, "-m", "plg"]
    results = []
    try:
        results.append(measured(plg + ["generate", "--out", str(data_dir), "--accounts", str(args.accounts),
                                       "--format", "parquet"], "generate (Parquet)"))
        import duckdb

        events = duckdb.connect().execute(
            f"select count(*) from read_parquet('{data_dir}/product_events*/**.parquet')" if (data_dir / "product_events").is_dir()
            else f"select count(*) from read_parquet('{data_dir}/product_events.parquet')").fetchall()[0][0]
        results[-1]["rows"] = events

        results.append(run_direct(data_dir, direct_db, args.threads) | {"rows": events})
        if plg_db.exists():
            plg_db.unlink()
        results.append(measured(plg + ["build", "--data-dir", str(data_dir), "--db", str(plg_db), "--threads", str(args.threads)],
                                "plg build (full, with tests)") | {"rows": events})
        differences = compare(direct_db, plg_db)

        new_events = add_one_day(data_dir)
        results.append(measured(plg + ["build", "--data-dir", str(data_dir), "--db", str(plg_db), "--threads", str(args.threads)],
                                "plg build after one new day") | {"rows": new_events})
        run_direct(data_dir, direct_db, args.threads)
        differences += [f"after the new day: {difference}" for difference in compare(direct_db, plg_db)]
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    direct_seconds = results[1]["seconds"]
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d}")
    print(f"{'step':<32}{'rows':>14}{'seconds':>10}{'rows/s':>14}{'peak RSS':>12}{'vs direct':>11}")
    for result in results:
        rows = result.get("rows", 0)
        print(f"{result['step']:<32}{rows:>14,}{result['seconds']:>10.1f}{rows / result['seconds']:>14,.0f}"
              f"{result['peak_rss_mib']:>9,.0f} MiB{result['seconds'] / direct_seconds:>10.2f}x")
    print("\nMarts equal the direct script's, cell for cell." if not differences else "\nDIFFERENCES:\n" + "\n".join(differences))
    print(json.dumps(results))
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
