"""The `plg` command line: build the KPI marts with dbt, report them, make sample data.

Exit codes: 0 success; 1 a failed build, test or input check (the message names it);
2 bad usage or an unexpected error.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from plg import __version__

EXIT_FAILED = 1
EXIT_USAGE = 2

# Options shared by several commands, each defined once.
db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("plg.duckdb"), show_default=True,
    help="The DuckDB database file the marts are built into and read from.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "markdown", "csv", "json"]), default="table", show_default=True,
    help="table and markdown for people; csv and json for machines.",
)
vars_option = click.option(
    "--vars", "vars_json", metavar="JSON", default=None,
    help="dbt vars as a JSON object, e.g. '{\"activation_window_days\": 7, "
    "\"activation_events\": [\"dashboard_built\"]}'. See README for every setting.",
)
TARGETS = ("duckdb", "postgres", "spark")
target_option = click.option(
    "--target", type=click.Choice(TARGETS), default="duckdb", show_default=True,
    help="Where the marts are built and read: duckdb (the file --db), postgres (a PostgreSQL server: PLG_PG_HOST, "
    "PLG_PG_PORT, PLG_PG_USER, PLG_PG_PASSWORD, PLG_PG_DATABASE; schema PLG_SCHEMA) or spark (Spark in this "
    "process: PLG_SPARK_DIR, schema PLG_SCHEMA). See the README's Warehouses section.",
)
month_from_option = click.option("--from", "month_from", metavar="YYYY-MM", default=None, help="First month to show.")
month_to_option = click.option("--to", "month_to", metavar="YYYY-MM", default=None, help="Last month to show.")


def fail(message: str, code: int = EXIT_FAILED) -> None:
    """Print an error a person can act on and exit with `code`."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def explain_database_error(db_path: Path, error: Exception) -> str:
    """A database error as a sentence a person can act on."""
    text = str(error)
    if "lock" in text.lower():
        pid = re.search(r"\(PID (\d+)\)", text)
        return (f"{db_path} is in use by another process{f' (PID {pid.group(1)})' if pid else ''}: "
                "wait for it to finish (or close it) and run the command again")
    if "not a valid DuckDB database" in text or "database file" in text.lower() and "invalid" in text.lower():
        return f"{db_path} is not a DuckDB database, or it is damaged: move it aside and build again ({text})"
    if "No space left" in text:
        return f"the disk holding {db_path} is full: free some space and run the command again"
    if "Permission denied" in text or "Read-only file system" in text:
        return f"cannot write {db_path}: the folder is read-only or not yours ({text})"
    return f"cannot open {db_path}: {text}"


def check_database_writable(db_path: Path) -> None:
    """Open the database once before dbt does, so a lock or a damaged file gets a clear message."""
    import duckdb

    try:
        duckdb.connect(str(db_path)).close()
    except Exception as error:
        fail(explain_database_error(db_path, error))


def parse_vars(vars_json: str | None) -> dict[str, Any]:
    if not vars_json:
        return {}
    try:
        value = json.loads(vars_json)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not valid JSON ({error.msg} at character {error.pos})", param_hint="--vars")
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object such as '{\"activation_window_days\": 7}'", param_hint="--vars")
    return value


def check_month(value: str | None, option: str) -> None:
    if value is None:
        return
    parts = value.split("-")
    if len(parts) != 2 or not all(part.isdigit() for part in parts) or len(parts[0]) != 4 or not 1 <= int(parts[1]) <= 12:
        raise click.BadParameter(f"'{value}' is not a month like 2025-03", param_hint=option)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="plg")
def cli() -> None:
    """Self-serve growth KPIs: who upgrades without a salesperson, what self-serve upsells and
    expansions bring, how plans migrate and how MRR moves.

    \b
    Try it:   plg demo
    Your data: plg build --data-dir ./raw --db kpis.duckdb
               plg report --db kpis.duckdb

    The folder holds the seven raw tables (accounts, users, plans, product_events,
    subscription_changes, upsell_purchases, sales_touches), each as <table>.csv,
    <table>.parquet or a folder <table>/ of such files.
    """


@cli.command()
@click.option(
    "--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="Folder with the seven raw tables as CSV or Parquet files. Required on duckdb; on postgres and spark "
    "the files are first loaded into the raw schema (every column as text).",
)
@db_option
@target_option
@click.option("--raw-schema", metavar="NAME", default=None,
              help="postgres and spark: the schema of the raw tables; --data-dir loads the files there, without "
              "it the tables already there are read. Default: the target's schema followed by _raw.")
@vars_option
@click.option("--select", "select", multiple=True, metavar="SELECTOR", help="Build only these dbt nodes (repeatable), e.g. +fct_arpa.")
@click.option("--full-refresh", is_flag=True, help="Rebuild the incremental event models from every row (dbt build --full-refresh). Not needed after new, late or removed data: a build finds and reloads the days that changed (with var event_lookback_days, those within the look-back).")
@click.option("--artifacts-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where dbt's target/ (manifest.json, run_results.json) and logs/ go. Default: <db>.dbt/ beside the database.")
@click.option("--threads", type=click.IntRange(1, 64), default=None, help="How many models and tests dbt runs at once, and DuckDB's worker threads. Default: 2 for dbt, every core for DuckDB.")
@click.option("--memory-limit", default=None, metavar="SIZE", help="DuckDB memory limit, e.g. 8GB or 75%. Default: 75%.")
@click.option("--temp-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where DuckDB spills to disk when memory runs out. Default: <db>.tmp beside the database.")
@click.pass_context
def build(ctx: click.Context, data_dir: Path | None, db_path: Path, target: str, raw_schema: str | None,
          vars_json: str | None, select: tuple[str, ...], full_refresh: bool, artifacts_dir: Path | None,
          threads: int | None, memory_limit: str | None, temp_dir: Path | None) -> None:
    """Load a folder of raw tables and build every KPI mart (dbt build: models and tests).

    The raw input is checked first: a missing table or column, a conflicting duplicate id, an
    empty id, an unreadable timestamp or number, or an unknown plan or account stops the build
    with a message naming the table, the column and the rows, and leaves the marts of the last
    good build as they were (exit code 1).

    \b
    plg build --data-dir ./raw --db kpis.duckdb
    plg build --target postgres --data-dir ./raw      # load into plg_raw, build into plg
    plg build --target spark --raw-schema raw_saas    # the tables already in raw_saas
    """
    dbt_vars = parse_vars(vars_json)
    if target != "duckdb":
        only_on_duckdb(ctx, target, ("db_path", "memory_limit", "temp_dir"))
        if not _build_warehouse(target, data_dir, raw_schema, dbt_vars, select, full_refresh, artifacts_dir, threads):
            sys.exit(EXIT_FAILED)
        return
    if data_dir is None:
        raise click.MissingParameter(ctx=ctx, param=next(param for param in ctx.command.params if param.name == "data_dir"))
    if raw_schema is not None:
        raise click.UsageError("--raw-schema is for the postgres and spark targets; on duckdb the raw tables are the "
                               "files of --data-dir", ctx)
    dbt_vars["data_dir"] = str(data_dir.resolve())
    outcome = _build(db_path, dbt_vars, select, full_refresh, artifacts_dir, threads, memory_limit, temp_dir)
    if not outcome:
        sys.exit(EXIT_FAILED)


def only_on_duckdb(ctx: click.Context, target: str, names: tuple[str, ...]) -> None:
    """Refuse options that only mean something for the DuckDB file, rather than ignore them."""
    from click.core import ParameterSource

    for param in ctx.command.params:
        if param.name in names and ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE:
            raise click.UsageError(f"{param.opts[0]} is for the duckdb target, not {target}", ctx)


def _build(db_path: Path, dbt_vars: dict[str, Any], select: tuple[str, ...], full_refresh: bool,
           artifacts_dir: Path | None, threads: int | None, memory_limit: str | None, temp_dir: Path | None) -> bool:
    from plg import dbt_runner

    db_path = db_path.resolve()
    if not db_path.parent.is_dir():
        fail(f"the folder of --db {db_path} does not exist", EXIT_USAGE)
    check_database_writable(db_path)
    artifacts = (artifacts_dir or db_path.with_name(db_path.name + ".dbt")).resolve()
    env = dbt_runner.duckdb_environment(db_path, threads, memory_limit, str(temp_dir.resolve()) if temp_dir else None)
    args = dbt_runner.dbt_arguments("build", artifacts_dir=artifacts, dbt_vars=dbt_vars, select=select, full_refresh=full_refresh)
    click.echo(f"Building the KPI marts into {db_path}", err=True)
    return _run_build(args, env, artifacts, str(db_path))


def _build_warehouse(target: str, data_dir: Path | None, raw_schema: str | None, dbt_vars: dict[str, Any],
                     select: tuple[str, ...], full_refresh: bool, artifacts_dir: Path | None, threads: int | None) -> bool:
    """Build on a warehouse target: load --data-dir into the raw schema first, or read the tables there."""
    from plg import dbt_runner, loaders

    raw_tables = dbt_vars.get("raw_tables") or {}
    if not isinstance(raw_tables, dict):
        raise click.BadParameter("raw_tables must be an object such as {\"product_events\": \"events\"}", param_hint="--vars")
    env = dbt_runner.warehouse_environment(target, threads)
    os.environ.update(env)
    try:
        credentials = loaders.target_credentials(target)
        raw_schema = raw_schema or dbt_vars.get("raw_schema") or f"{credentials.schema}_raw"
        if data_dir is not None:
            click.echo(f"Loading {data_dir} into {target} schema {raw_schema}", err=True)
            counts = loaders.load(credentials, data_dir.resolve(), raw_schema, raw_tables)
            click.echo(f"Loaded {sum(counts.values()):,} rows: "
                       + ", ".join(f"{table} {count:,}" for table, count in counts.items()), err=True)
        else:
            loaders.check_connection(credentials)
    except loaders.TargetError as error:
        fail(str(error))
    dbt_vars = {key: value for key, value in dbt_vars.items() if key != "data_dir"}
    dbt_vars["raw_schema"] = raw_schema
    artifacts = (artifacts_dir or Path(f"plg-{target}.dbt")).resolve()
    args = dbt_runner.dbt_arguments("build", artifacts_dir=artifacts, dbt_vars=dbt_vars, select=select,
                                    full_refresh=full_refresh, target=target)
    click.echo(f"Building the KPI marts into {loaders.describe(credentials)} from schema {raw_schema}", err=True)
    return _run_build(args, env, artifacts, loaders.describe(credentials))


def _run_build(args: list[str], env: dict[str, str], artifacts: Path, destination: str) -> bool:
    """Run one dbt build, print its progress and outcome; True when everything passed."""
    from plg import dbt_runner

    try:
        outcome = dbt_runner.run_dbt(args, env, on_node=dbt_runner.print_node, on_step=dbt_runner.print_step)
    except Exception as error:  # dbt itself broke: not the user's data
        fail(f"dbt could not run: {error}", EXIT_USAGE)
    if outcome.error:
        message = outcome.error.strip()
        from plg import loaders

        unreadable_csv = loaders.unreadable_csv_message(message)
        if "No space left" in message:
            message = (f"the disk is full (writing {destination} or dbt's artifacts in {artifacts}): free some space and "
                       f"run the command again; the marts of the last good build are unchanged ({message})")
        elif unreadable_csv:
            message = f"{unreadable_csv}. Nothing was built; the marts of the last good build are unchanged."
        click.echo(f"Error: {message}", err=True)
        click.echo(f"dbt's log: {artifacts / 'logs' / 'dbt.log'}", err=True)
        return False
    if outcome.failed_nodes:
        click.echo("Failed:", err=True)
        for node in outcome.failed_nodes:
            click.echo(f"  {node.resource_type} {node.name}: {node.message.strip()}", err=True)
        click.echo(f"Nodes that depend on them were skipped; their marts keep the last good build. dbt's log: "
                   f"{artifacts / 'logs' / 'dbt.log'}", err=True)
        click.echo(f"Build failed: {outcome.summary()}")
        return False
    if not outcome.success:
        click.echo(f"Error: dbt reported a failure; see {artifacts / 'logs' / 'dbt.log'}", err=True)
        return False
    for warning in outcome.warnings:
        click.echo(f"Warning: {warning}", err=True)
    # A test of severity warn found rows: the build goes on; the test's SQL (tests/dbt) says what they mean.
    for node in outcome.warned_nodes:
        click.echo(f"Warning: {node.resource_type} {node.name}: {node.message.strip()}", err=True)
    click.echo(f"Build succeeded: {outcome.summary()}")
    return True


@cli.command()
@db_option
@click.option("--kpi", "kpi_names", multiple=True, metavar="NAME",
              help="Show only this KPI (repeatable): upgrade_rate, intent_signal_rate, upsell_revenue, "
              "plan_upgrade_rate, expansion_revenue, mrr_movements, net_revenue_retention, arpa "
              "(or a mart name). Default: all.")
@month_from_option
@month_to_option
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "csv", "json", "html"]), default="table",
              show_default=True, help="table and markdown for people; csv and json for machines; html: one "
              "self-contained page with a chart per KPI and the metric tree (needs --out).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of the terminal (required for html).")
@target_option
@click.pass_context
def report(ctx: click.Context, db_path: Path, kpi_names: tuple[str, ...], month_from: str | None, month_to: str | None,
           fmt: str, out_path: Path | None, target: str) -> None:
    """Print the KPIs from a built database (opened read-only) or a warehouse target.

    \b
    plg report --db kpis.duckdb
    plg report --db kpis.duckdb --kpi upgrade_rate --from 2025-01 --format csv
    plg report --db kpis.duckdb --format html --out kpis.html
    plg report --target postgres --format json
    """
    if fmt == "html" and out_path is None:
        raise click.BadParameter("html is written to a file: add --out report.html", param_hint="--format")
    if target != "duckdb":
        only_on_duckdb(ctx, target, ("db_path",))
    _report(db_path, kpi_names, month_from, month_to, fmt, out_path, target)


def _report(db_path: Path, kpi_names: tuple[str, ...], month_from: str | None, month_to: str | None, fmt: str,
            out_path: Path | None = None, target: str = "duckdb") -> None:
    from plg.formatting import render
    from plg.marts import KPIS, find_kpi, month_bound

    check_month(month_from, "--from")
    check_month(month_to, "--to")
    try:
        kpis = [find_kpi(name) for name in kpi_names] if kpi_names else list(KPIS)
    except KeyError as error:
        raise click.BadParameter(f"unknown KPI {error.args[0]!r}; choose from {', '.join(kpi.name for kpi in KPIS)}", param_hint="--kpi")
    reader = _open_reader(db_path, target)
    with reader, _reading_errors():
        sections = []
        for kpi in kpis:
            if not reader.has_table(kpi.mart):
                fail(f"{reader.label} has no {kpi.mart}: rebuild with `{_build_command(target)}`")
            sections.append((kpi, reader.rows(kpi, month_bound(month_from), month_bound(month_to))))
        tree_root = _html_tree(reader) if fmt == "html" else None
    if fmt == "html":
        import datetime as dt

        from plg.html_report import render_html

        text = render_html(sections, tree_root, dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    else:
        text = render(sections, fmt)
    if out_path is None:
        click.echo(text)
        return
    try:
        out_path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {out_path}: {error.strerror}")
    click.echo(f"Wrote {out_path}", err=True)


def _html_tree(reader):
    """The metric tree of the latest complete month, for the HTML report (None without data)."""
    from plg.tree import available_months, build_tree, default_month

    if not reader.has_table("fct_revenue_metric_tree"):
        return None
    months = available_months(reader)
    return build_tree(reader, default_month(months)) if months else None


@cli.command()
@db_option
@click.option("--month", metavar="YYYY-MM", default=None, help="The month to explain. Default: the latest complete month.")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True,
              help="table and markdown for people; json for machines.")
@target_option
@click.pass_context
def tree(ctx: click.Context, db_path: Path, month: str | None, fmt: str, target: str) -> None:
    """Explain one month as a metric tree: how plan upgrades and self-serve expansion feed
    expansion MRR, the MRR bridge from starting to ending MRR, NRR, GRR and ARPA, each beside
    the previous month's value and the change."""
    from plg.marts import month_bound
    from plg.tree import available_months, build_tree, default_month, render_json, render_tree

    check_month(month, "--month")
    if target != "duckdb":
        only_on_duckdb(ctx, target, ("db_path",))
    reader = _open_reader(db_path, target)
    with reader, _reading_errors():
        if not reader.has_table("fct_revenue_metric_tree"):
            fail(f"{reader.label} has no fct_revenue_metric_tree: rebuild with `{_build_command(target)}`")
        months = available_months(reader)
        if not months:
            fail("the marts hold no month: the data has no subscription change")
        wanted = month_bound(month) if month else default_month(months)
        if wanted not in months:
            fail(f"no data for {wanted:%Y-%m}: the data covers {months[0]:%Y-%m} to {months[-1]:%Y-%m}")
        root = build_tree(reader, wanted)
    click.echo(render_json(root) if fmt == "json" else render_tree(root, markdown=fmt == "markdown"))


@contextlib.contextmanager
def _reading_errors():
    """A warehouse that fails while the marts are read: a message and exit code 1, no traceback."""
    from plg.loaders import TargetError

    try:
        yield
    except TargetError as error:
        fail(str(error))


def _build_command(target: str) -> str:
    return "plg build" if target == "duckdb" else f"plg build --target {target}"


def _open_reader(db_path: Path, target: str = "duckdb"):
    from plg.marts import MartReader

    if target != "duckdb":
        return _open_warehouse_reader(target)
    if not db_path.is_file():
        fail(f"no database at {db_path}: build one with `plg build --data-dir DIR --db {db_path}`")
    try:
        return MartReader(db_path)
    except LookupError as error:
        fail(str(error))
    except Exception as error:  # locked, corrupt or not a DuckDB file
        fail(explain_database_error(db_path, error))


def _open_warehouse_reader(target: str):
    """The marts of a warehouse target, read through the dbt adapter's own connection."""
    from plg import dbt_runner, loaders
    from plg.marts import WarehouseMartReader

    os.environ.update(dbt_runner.warehouse_environment(target, None))
    try:
        return WarehouseMartReader(target)
    except (LookupError, loaders.TargetError) as error:
        fail(str(error))


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the seven raw tables into (created if missing).")
@click.option("--accounts", type=click.IntRange(1), default=2000, show_default=True, help="How many accounts.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same data.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True, help="File format.")
@click.option("--start", default="2025-01-01", show_default=True, metavar="YYYY-MM-DD", help="First day of the data.")
@click.option("--months", type=click.IntRange(1, 120), default=12, show_default=True, help="How many months of activity.")
def generate(out_dir: Path, accounts: int, seed: int, fmt: str, start: str, months: int) -> None:
    """Write realistic synthetic raw data in the contract's format, with every edge case the
    KPI definitions name (window boundaries to the second, sales touches just inside and
    outside the look-back, refunds, reactivations, trials, staff-initiated changes)."""
    from plg.generate import generate as generate_data

    counts = generate_data(out_dir, accounts=accounts, seed=seed, fmt=fmt, start=start, months=months,
                           progress=lambda message: click.echo(message, err=True))
    total = sum(counts.values())
    click.echo(f"Wrote {total:,} rows to {out_dir}: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep the database here. Default: a temporary file, removed afterwards.")
@click.option("--accounts", type=click.IntRange(1), default=500, show_default=True, help="How many accounts to generate.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same data.")
@format_option
def demo(db_path: Path | None, accounts: int, seed: int, fmt: str) -> None:
    """Generate sample data, build it and print the report, in one go."""
    from plg.generate import generate as generate_data

    with tempfile.TemporaryDirectory(prefix="plg-demo-") as workspace:
        data_dir = Path(workspace) / "raw"
        target_db = db_path or Path(workspace) / "demo.duckdb"
        counts = generate_data(data_dir, accounts=accounts, seed=seed, fmt="csv")
        click.echo(f"Generated {sum(counts.values()):,} rows of sample data for {accounts} accounts", err=True)
        artifacts = Path(workspace) / "dbt" if db_path is None else None
        # The sample data covers a fixed year in the past: a stale-input warning would say
        # nothing about it, so the demo allows any age (about a century).
        demo_vars = {"data_dir": str(data_dir), "freshness_warn_after_hours": 1_000_000}
        if not _build(target_db, demo_vars, (), False, artifacts, None, None, None):
            sys.exit(EXIT_FAILED)
        click.echo("", err=True)
        _report(target_db, (), None, None, fmt)


def main() -> None:
    """Entry point that turns an unexpected error into exit code 2 with a readable message.

    One command per process: Python's cyclic garbage collector stays off for all of it. Its
    passes over dbt's millions of objects cost a build seconds of single-core Python (importing
    dbt, parsing, running, and once more as the interpreter exits), and the garbage it would
    free is bounded by the project's fixed size, gone when the process ends.
    """
    gc.disable()
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # pragma: no cover - last resort
        click.echo(f"Error: unexpected {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_USAGE)
    finally:
        # The command has closed what it opened (the DuckDB file, dbt's log); frozen objects
        # are not collected again while the interpreter shuts down (about 0.6 s of a build).
        gc.freeze()


if __name__ == "__main__":
    main()
