"""Warehouse targets: connecting to them as dbt does, and loading a folder of raw files.

`plg build --target postgres|spark --data-dir DIR` loads the contract's seven tables from DIR
into the target's raw schema before it builds. Every column is loaded as text, as the DuckDB
path reads it; staging types it. PostgreSQL gets the rows through COPY (read with DuckDB's
CSV and Parquet readers, the very readers of the DuckDB path); Spark reads the files with its
own readers and saves each table in its metastore.

Connections are made from the shipped profiles.yml, rendered by dbt, and opened by the dbt
adapter's own connection code, so the CLI connects exactly where and as dbt does.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import reduce
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

# The raw tables of the KPI contract, in the contract's order.
RAW_TABLES = (
    "accounts", "users", "plans", "product_events", "subscription_changes", "upsell_purchases", "sales_touches",
)

class TargetError(Exception):
    """A target that cannot be reached or used; the message says what to do."""


# ---------------------------------------------------------------------------------------------
# Profiles and connections
# ---------------------------------------------------------------------------------------------


def target_credentials(target: str) -> Any:
    """The dbt credentials of `target` in the shipped profiles.yml, rendered from the environment."""
    from dbt_common.context import set_invocation_context

    from plg.dbt_runner import project_dir

    set_invocation_context(os.environ)
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer

    raw_profiles = read_profile(str(project_dir()))
    try:
        target_name, data = Profile.render_profile(raw_profiles["plg_kpis"], "plg_kpis", target, ProfileRenderer({}))
        return Profile._credentials_from_profile(dict(data), "plg_kpis", target_name)
    except Exception as error:  # an adapter that is not installed, or a profile that does not render
        text = str(error)
        if "Could not find adapter type" in text or isinstance(error, ImportError):
            raise TargetError(
                f"the {target} target needs its dbt adapter: pip install 'plg-kpis[{target}]'"
            ) from error
        raise TargetError(f"the {target} target in profiles.yml cannot be used: {first_line(text)}") from error


def describe(credentials: Any) -> str:
    """Where a target's marts are, for messages: `postgres schema plg (127.0.0.1:5432/postgres)`."""
    if credentials.type == "postgres":
        return (f"postgres schema {credentials.schema} "
                f"({credentials.host}:{credentials.port}/{credentials.database}, user {credentials.user})")
    if credentials.type == "spark":
        return f"spark schema {credentials.schema} ({spark_dir()})"
    return f"{credentials.type} schema {credentials.schema}"


def spark_dir() -> str:
    return os.environ.get("PLG_SPARK_DIR", "plg-spark")


def first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    meaningful = [line for line in lines if line not in ("Runtime Error", "Database Error", "Compilation Error")]
    return (meaningful or lines or [""])[0]


def open_connection(credentials: Any) -> Any:
    """A DB-API style handle opened by the dbt adapter's connection manager."""
    if credentials.type == "spark":
        spark_session(credentials)  # start Spark here, so that a failure gets a clear message
    from dbt.adapters.contracts.connection import Connection
    from dbt.adapters.factory import get_adapter_class_by_name

    manager = get_adapter_class_by_name(credentials.type).ConnectionManager
    connection = Connection(type=credentials.type, name="plg", credentials=credentials)
    try:
        manager.open(connection)
        return connection.handle
    except Exception as error:
        raise connection_error(credentials, error) from error


def connection_error(credentials: Any, error: Exception) -> TargetError:
    """A failed connection as a sentence a person can act on."""
    text = first_line(str(error))
    if credentials.type == "postgres":
        return TargetError(
            f"cannot connect to PostgreSQL at {credentials.host}:{credentials.port} (database {credentials.database}, "
            f"user {credentials.user}): {text}. Is the server running? Set PLG_PG_HOST, PLG_PG_PORT, PLG_PG_USER, "
            "PLG_PG_PASSWORD and PLG_PG_DATABASE to reach it")
    return TargetError(f"cannot connect to the {credentials.type} target: {text}")


# Spark's own log goes to a file in PLG_SPARK_DIR (the last command's), not to the terminal:
# plg reports every failure itself.
SPARK_LOG_CONFIG = """\
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.append = false
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yy/MM/dd HH:mm:ss}} %p %c{{1}}: %m%n%ex
"""


def spark_session(credentials: Any) -> Any:
    """The Spark session dbt-spark's `session` method uses: built from the same parameters, so
    that dbt, the loader and the mart reader share one session in a process."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise TargetError("the spark target needs pyspark: pip install 'plg-kpis[spark]'") from error
    folder = Path(spark_dir())
    folder.mkdir(parents=True, exist_ok=True)
    check_metastore_free(folder)
    log_config = folder / "log4j2.properties"
    log_config.write_text(SPARK_LOG_CONFIG.format(log=folder.resolve() / "spark.log"), encoding="utf-8")
    parameters = dict(credentials.server_side_parameters)
    parameters["spark.driver.extraJavaOptions"] = " ".join(filter(None, (
        parameters.get("spark.driver.extraJavaOptions"), f"-Dlog4j2.configurationFile=file:{log_config.resolve()}")))
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in parameters.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:
        text = first_line(str(error))
        if "JAVA_GATEWAY_EXITED" in text or "JAVA_HOME" in text or "Java gateway" in text:
            raise TargetError(f"Spark could not start: Java 17 or later must be installed (JAVA_HOME or java on the "
                              f"PATH) ({text})") from error
        raise TargetError(f"Spark could not start: {text}") from error
    session.sparkContext.setLogLevel("ERROR")
    return session


def check_metastore_free(folder: Path) -> None:
    """Fail early, and clearly, when another process has the Derby metastore open: Derby holds
    a file lock on dbex.lck while it runs (released when its process ends, even by a crash)."""
    import fcntl

    lock_file = folder / "metastore_db" / "dbex.lck"
    if not lock_file.is_file():
        return
    with open(lock_file, "rb+") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise TargetError(metastore_in_use()) from None
        fcntl.lockf(handle, fcntl.LOCK_UN)


def metastore_in_use() -> str:
    return (f"the Spark metastore in {spark_dir()} is in use by another process (its Derby database admits one "
            "process at a time): wait for it to finish and run the command again")


def explain_spark_error(error: Exception) -> str:
    text = str(error)
    if "Another instance of Derby" in text or "Failed to start database" in text or "XSDB6" in text:
        return metastore_in_use()
    if "Unable to instantiate" in text and "metastore" in text.lower():
        return (f"the Spark metastore in {spark_dir()} cannot be opened; is another process using it? "
                f"({first_line(text)}; Spark's log: {Path(spark_dir()) / 'spark.log'})")
    return first_line(text)


def check_connection(credentials: Any) -> None:
    """Connect once and run a trivial query, so an unreachable target fails before dbt starts."""
    handle = open_connection(credentials)
    try:
        cursor = handle.cursor()
        cursor.execute("select 1")
        cursor.fetchall()
    except TargetError:
        raise
    except Exception as error:
        if credentials.type == "spark":
            raise TargetError(explain_spark_error(error)) from error
        raise connection_error(credentials, error) from error
    finally:
        close_handle(handle)


def close_handle(handle: Any) -> None:
    try:
        handle.close()
    except Exception:  # closing is best effort
        pass


# ---------------------------------------------------------------------------------------------
# Finding the raw files
# ---------------------------------------------------------------------------------------------


def table_files(data_dir: Path) -> dict[str, list[Path]]:
    """Each raw table's files, by the rule of the DuckDB path (macro data_dir_files):
    `<table>.csv`, `<table>.parquet`, and every CSV or Parquet file under `<table>/` at any
    depth, whatever the extension's case, passing over a file or folder below `<table>/` whose
    name starts with `.` or `_` (hidden files, Spark's `_SUCCESS` and `_temporary/`). Any other
    file below `<table>/`, and a table with no file, stop the load with the messages of the
    DuckDB path."""
    folder = Path(data_dir)
    shown_folder = str(folder).rstrip("/")
    found: dict[str, list[Path]] = {}
    missing = []
    for table in RAW_TABLES:
        files = [path for path in folder.glob(f"{table}.*")
                 if path.name.lower() in (f"{table}.csv", f"{table}.parquet") and path.is_file()]
        part_folder = folder / table
        if part_folder.is_dir():
            parts = sorted((path for path in part_folder.rglob("*") if path.is_file()
                            and not any(part.startswith((".", "_")) for part in path.relative_to(part_folder).parts)), key=str)
            files += [path for path in parts if path.suffix.lower() in (".csv", ".parquet")]
            unread = [path.relative_to(folder).as_posix() for path in parts if path.suffix.lower() not in (".csv", ".parquet")]
            if unread:
                many = len(unread) > 1
                raise TargetError(
                    f"Input folder {shown_folder}: {table}/ has {len(unread)} file{'s' if many else ''} neither .csv nor "
                    f".parquet, whose rows would not be read ({'e.g. ' if len(unread) > 3 else ''}{', '.join(unread[:3])}). "
                    f"Convert or remove {'them' if many else 'it'}, or start {'their names' if many else 'its name'} "
                    f"with _ or . to pass {'them' if many else 'it'} over.")
        if files:
            found[table] = sorted(files, key=str)
        else:
            missing.append(table)
    if missing:
        raise TargetError(
            f"Input folder {shown_folder} has no file for table(s): {', '.join(missing)}. "
            "Each table is <table>.csv, <table>.parquet, or a folder <table>/ of such files.")
    return found


def unreadable_csv_message(error_text: str) -> str | None:
    """The message for DuckDB's failure to read a CSV file (its dialect detection gave up, or a
    line could not be read: another encoding than UTF-8, say), naming the file and what is
    wrong with it; None for any other error."""
    match = re.search(r'Error when sniffing file "([^"]+)"', error_text)
    if match is not None:
        path = Path(match.group(1))
        return unreadable_csv_file_message(path, csv_shape_problem(path) or "DuckDB could not detect its CSV dialect")
    line = re.search(r"CSV Error on Line: (\d+)", error_text)
    named = re.search(r"^\s*file = (.+?)\s*$", error_text, re.MULTILINE)
    if line is None or named is None:
        return None
    path = Path(named.group(1))
    # DuckDB's reason is the first line after the line it quotes.
    after_quote = error_text.split("Original Line:", 1)[-1].splitlines()[1:]
    reason = next((text.strip() for text in after_quote if text.strip()), "DuckDB could not read it")
    return unreadable_csv_file_message(path, csv_shape_problem(path) or f"line {line.group(1)}: {reason}")


def unreadable_spark_csv_message(error_text: str, table_paths: list[Path]) -> str | None:
    """The message for Spark's failure to read a CSV file of a table (its FAILFAST mode stops at
    a row of another width than the header), naming the file and the rows; None when the error
    is another one or no CSV file of the table has such rows."""
    if "FAILED_READ_FILE" not in error_text and "Malformed" not in error_text:
        return None
    match = re.search(r"reading file (file:\S+?)\.?\s", error_text)
    named = [Path(url2pathname(urlparse(match.group(1)).path))] if match else []
    for path in named + [path for path in table_paths if path not in named]:
        problem = csv_shape_problem(path) if path.suffix.lower() == ".csv" and path.is_file() else None
        if problem:
            return unreadable_csv_file_message(path, problem)
    return None


def unreadable_csv_file_message(path: Path, problem: str) -> str:
    return f"{path} cannot be read as CSV (a header row, comma separators, double-quote quoting): {problem}"


def csv_shape_problem(path: Path, limit: int = 5) -> str | None:
    """Why a CSV reader could not read a file, said in the file's own terms: the rows whose
    number of fields differs from the header's (how many, and the first few line numbers), which
    is what makes DuckDB's dialect detection give up and Spark's FAILFAST mode stop. None when
    every row has the header's width. Called only after a read failed."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            ragged = [(reader.line_num, len(row)) for row in reader if row and len(row) != len(header)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return f"it cannot be read as UTF-8 CSV ({error})"
    if not ragged:
        return None
    lines = ", ".join(f"line {line} has {fields}" for line, fields in ragged[:limit])
    return (f"{len(ragged):,} row{'s' if len(ragged) > 1 else ''} with another number of fields than the header's "
            f"{len(header)} ({lines}{', ...' if len(ragged) > limit else ''}); a value holding a comma, a quote or a "
            "line break must be in double quotes")


def _duckdb_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


# How DuckDB reads every CSV file of the raw tables: the options of the DuckDB path's views
# (macro csv_read_options); change both together.
CSV_READ_OPTIONS = "header = true, skip = 0, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"


def duckdb_reader_sql(files: list[Path]) -> str:
    """One table's files as a DuckDB query, every column as text: the readers, with the same
    options, of the views the DuckDB path makes (macro register_data_dir); change both together."""
    csv_files = [_duckdb_literal(path) for path in files if path.suffix.lower() == ".csv"]
    parquet_files = [_duckdb_literal(path) for path in files if path.suffix.lower() == ".parquet"]
    readers = []
    if csv_files:
        readers.append(
            f"select * from read_csv([{', '.join(csv_files)}], {CSV_READ_OPTIONS}, union_by_name = true, filename = false)")
    if parquet_files:
        readers.append(f"select columns(*)::varchar from read_parquet([{', '.join(parquet_files)}], union_by_name = true)")
    return " union all by name ".join(readers)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def check_columns_of_each_file(data_dir: Path, files: dict[str, list[Path]]) -> None:
    """Stop when a file of a table of several files lacks a column another of its files has:
    read as the union of their columns, its rows would be empty there. The rule, reading and
    message of the DuckDB path (macro check_columns_of_each_file); an empty file is passed over."""
    import duckdb

    from plg.generate import TABLES

    lacking = []
    with duckdb.connect() as connection:
        for table, paths in files.items():
            if len(paths) < 2:
                continue
            columns_of = {}
            for path in paths:
                if path.stat().st_size == 0:
                    continue
                reader = (f"read_csv({_duckdb_literal(path)}, {CSV_READ_OPTIONS}, sample_size = 1)"
                          if path.suffix.lower() == ".csv" else f"read_parquet({_duckdb_literal(path)})")
                columns_of[path] = [row[0].lower() for row in connection.execute(f"describe select * from {reader}").fetchall()]
            in_some_file = {column for columns in columns_of.values() for column in columns}
            for path, columns in columns_of.items():
                absent = [column for column in TABLES[table] if column in in_some_file and column not in columns]
                if absent:
                    lacking.append(f"{path.relative_to(data_dir).as_posix()} ({', '.join(absent)})")
    if lacking:
        many = len(lacking) > 1
        raise TargetError(
            f"Input folder {str(data_dir).rstrip('/')}: {len(lacking)} file{'s lack' if many else ' lacks'} a column the other "
            f"files of its table have, which would be empty in {'their' if many else 'its'} rows: {'; '.join(lacking[:5])}"
            f"{'; ...' if len(lacking) > 5 else ''}. Every file of a table needs each of its columns.")


def load(credentials: Any, data_dir: Path, raw_schema: str, identifiers: dict[str, str] | None = None) -> dict[str, int]:
    """Replace the raw tables in `raw_schema` with the files of `data_dir`; rows loaded per table."""
    files = table_files(data_dir)
    check_columns_of_each_file(data_dir, files)
    identifiers = {table: (identifiers or {}).get(table, table) for table in RAW_TABLES}
    if credentials.type == "postgres":
        return load_postgres(credentials, files, raw_schema, identifiers)
    if credentials.type == "spark":
        return load_spark(credentials, files, raw_schema, identifiers)
    raise TargetError(f"plg cannot load files into a {credentials.type} target; load them yourself and give --raw-schema")


def _pg_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_postgres(credentials: Any, files: dict[str, list[Path]], raw_schema: str,
                  identifiers: dict[str, str]) -> dict[str, int]:
    """Every table in one transaction (all or nothing): emptied, or made anew with text columns
    when its columns changed, then filled by COPY."""
    import duckdb

    handle = open_connection(credentials)
    counts: dict[str, int] = {}
    reader = duckdb.connect()
    try:
        reader.execute("set TimeZone = 'UTC'")
        cursor = handle.cursor()
        cursor.execute(f"create schema if not exists {_pg_identifier(raw_schema)}")
        with tempfile.TemporaryDirectory(prefix="plg-load-") as workspace:
            for table, table_paths in files.items():
                query = duckdb_reader_sql(table_paths)
                columns = [column.lower().lstrip("\ufeff") for column in reader.sql(query).columns]
                export = Path(workspace) / f"{table}.csv"
                reader.execute(f"copy ({query}) to {_duckdb_literal(export)} (format csv, header false)")
                relation = f"{_pg_identifier(raw_schema)}.{_pg_identifier(identifiers[table])}"
                cursor.execute("select column_name, data_type from information_schema.columns "
                               "where table_schema = %s and table_name = %s order by ordinal_position",
                               [raw_schema, identifiers[table]])
                existing = cursor.fetchall()
                if existing == [(column, "text") for column in columns]:
                    # The same layout: emptied, not dropped, so the staging views over it stay.
                    cursor.execute(f"truncate table {relation}")
                else:
                    # A new layout: the views over the old one (staging) go with it; the next
                    # build that passes the input checks makes them again.
                    cursor.execute(f"drop table if exists {relation} cascade")
                    cursor.execute(f"create table {relation} ({', '.join(_pg_identifier(c) + ' text' for c in columns)})")
                with open(export, encoding="utf-8") as handle_in:
                    cursor.copy_expert(f"copy {relation} from stdin with (format csv)", handle_in)
                counts[table] = cursor.rowcount
        handle.commit()
    except TargetError:
        handle.rollback()
        raise
    except duckdb.Error as error:
        handle.rollback()
        raise TargetError(unreadable_csv_message(str(error)) or f"cannot read the raw files: {first_line(str(error))}") from error
    except Exception as error:
        handle.rollback()
        raise TargetError(f"loading into PostgreSQL failed: {first_line(str(error))}") from error
    finally:
        reader.close()
        close_handle(handle)
    return counts


def load_spark(credentials: Any, files: dict[str, list[Path]], raw_schema: str,
               identifiers: dict[str, str]) -> dict[str, int]:
    """Spark's CSV and Parquet readers, every column cast to string, saved as Parquet tables."""
    session = spark_session(credentials)
    from pyspark.sql import functions

    # Spark refuses nanosecond timestamps in Parquet (pandas and pyarrow write them): those
    # columns are read as numbers and turned back into instants, to the microsecond.
    nanosecond_columns = {path: _nanosecond_timestamp_columns(path) for paths in files.values()
                          for path in paths if path.suffix.lower() == ".parquet"}
    nanos_as_long = "spark.sql.legacy.parquet.nanosAsLong"
    counts: dict[str, int] = {}
    table_paths: list[Path] = []
    try:
        if any(nanosecond_columns.values()):
            session.conf.set(nanos_as_long, "true")
        session.sql(f"create database if not exists `{raw_schema}`")
        for table, table_paths in files.items():
            frames = []
            for path in table_paths:
                if path.suffix.lower() == ".csv":
                    frame = (session.read.option("header", True).option("sep", ",").option("quote", '"')
                             .option("escape", '"').option("multiLine", True).option("inferSchema", False)
                             .option("encoding", "UTF-8").option("mode", "FAILFAST").csv(str(path)))
                else:
                    frame = session.read.parquet(str(path))
                nanos = nanosecond_columns.get(path, set())
                frame = frame.select([
                    (functions.expr(f"timestamp_micros(floor(`{name}` / 1000))") if name in nanos
                     else functions.col(f"`{name}`")).cast("string").alias(name.lower().lstrip("\ufeff"))
                    for name in frame.columns
                ])
                frames.append(frame)
            frame = reduce(lambda left, right: left.unionByName(right, allowMissingColumns=True), frames)
            relation = f"`{raw_schema}`.`{identifiers[table]}`"
            frame.write.mode("overwrite").format("parquet").saveAsTable(relation)
            counts[table] = session.table(relation).count()
    except TargetError:
        raise
    except Exception as error:
        # Spark's default (PERMISSIVE) mode would pad a short row with NULLs and cut a long one
        # without a word; FAILFAST stops, and the file's rows of another width are named.
        ragged = unreadable_spark_csv_message(str(error), table_paths)
        raise TargetError(ragged or f"loading into Spark failed: {explain_spark_error(error)}") from error
    finally:
        if any(nanosecond_columns.values()):
            session.conf.unset(nanos_as_long)
    return counts


def _nanosecond_timestamp_columns(path: Path) -> set[str]:
    """The columns of a Parquet file that hold timestamps in nanoseconds."""
    import duckdb

    with duckdb.connect() as reader:
        rows = reader.execute(
            "select name from parquet_schema(?) where logical_type like 'TimestampType(%NANOS=NanoSeconds()%'",
            [str(path)]).fetchall()
    return {row[0] for row in rows}
