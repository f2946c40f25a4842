"""Broken input is refused before any mart changes; messy but meaningful input is accepted.

Each broken case: build good data, build the broken data into the same database, assert exit
code 1, a message naming the table, the column and the number of rows, and every mart
byte-for-byte what it was.
"""

from __future__ import annotations

import csv
import gzip
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from conftest import assert_marts_match_reference, build, last_build_log, mart_fingerprints, read_mart, run_plg

TINY = Path(__file__).parent / "data" / "tiny"


def append_rows(table: str, rows: list[str]) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        with open(folder / f"{table}.csv", "a", encoding="utf-8") as handle:
            handle.write("".join(row + "\n" for row in rows))
    return change


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        path = folder / f"{table}.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        columns = [name for name in rows[0] if name != column]
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    return change


def remove_table(table: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / f"{table}.csv").unlink()
    return change


def split_without_column(table: str, column: str) -> Callable[[Path], None]:
    """The table as a folder of two files, the second without `column` (ids changed so its
    row is a row of its own)."""
    def change(folder: Path) -> None:
        (folder / table).mkdir()
        path = folder / table / "part-0.csv"
        (folder / f"{table}.csv").rename(path)
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        kept = [name for name in rows[0] if name != column]
        with open(folder / table / "part-1.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=kept, extrasaction="ignore")
            writer.writeheader()
            first_column = kept[0]
            writer.writerow({**rows[0], first_column: rows[0][first_column] + "-later"})
    return change


def add_compressed_part(table: str) -> Callable[[Path], None]:
    """The table as a folder: its file as part-0.csv, and a gzipped copy beside it, which
    the build does not read."""
    def change(folder: Path) -> None:
        (folder / table).mkdir()
        (folder / f"{table}.csv").rename(folder / table / "part-0.csv")
        with open(folder / table / "part-0.csv", "rb") as plain, gzip.open(folder / table / "part-1.csv.gz", "wb") as packed:
            packed.write(plain.read())
    return change


BROKEN = {
    "conflicting_duplicate_id": (
        append_rows("product_events", ["e1,u1,a1,dashboard_built,2025-01-09T10:00:00Z"]),
        ["product_events.event_id: 2 rows of 1 id with different values", "e1"],
    ),
    # The message counts the rows that carry a conflicting id, a retry among them too: p1 on
    # three rows (one an exact copy), p2 on two.
    "conflicting_ids_count_their_rows": (
        append_rows("upsell_purchases", ["p1,a1,u1,2025-02-01T00:00:00Z,feature_pack,20.50,in_product",
                                         "p1,a1,u1,2025-02-01T00:00:00Z,feature_pack,21.00,in_product",
                                         "p2,a1,u1,2025-02-03T00:00:00Z,feature_pack,-5.00,in_product"]),
        ["upsell_purchases.purchase_id: 5 rows of 2 ids with different values (e.g. p1, p2)"],
    ),
    # p1 is 20.50: an amount that differs in its fifth decimal is another value, not a retry.
    "conflicting_amount_beyond_the_cent": (
        append_rows("upsell_purchases", ["p1,a1,u1,2025-02-01T00:00:00Z,feature_pack,20.50001,in_product"]),
        ["upsell_purchases.purchase_id: 2 rows of 1 id with different values", "p1"],
    ),
    # Checked on a database already built from good input (as every case here): an incremental
    # build must still find them, in old days as in new ones.
    "unreadable_event_timestamp": (
        append_rows("product_events", ["e98,u1,a1,dashboard_built,last tuesday"]),
        ["product_events.occurred_at", "1 row", "timestamp", "e98"],
    ),
    "missing_event_user": (
        append_rows("product_events", ["e99,,a1,dashboard_built,2025-02-01T00:00:00Z"]),
        ["product_events.user_id", "1 row", "no value", "e99"],
    ),
    "missing_id": (
        append_rows("upsell_purchases", [",a1,u1,2025-02-01T00:00:00Z,add_on,10,in_product"]),
        ["upsell_purchases.purchase_id", "1 row", "no value"],
    ),
    "unreadable_timestamp": (
        append_rows("sales_touches", ["t2,a1,yesterday,call,sales", "t3,a1,2025-13-45T00:00:00Z,call,sales"]),
        ["sales_touches.touched_at", "2 rows", "timestamp", "such as '2025-13-45T00:00:00Z', 'yesterday'", "t2, t3"],
    ),
    "unreadable_number": (
        append_rows("upsell_purchases", ["p9,a1,u1,2025-02-01T00:00:00Z,add_on,12 EUR,in_product"]),
        ["upsell_purchases.amount", "1 row", "number", "such as '12 EUR'", "p9"],
    ),
    "amount_too_large": (
        append_rows("upsell_purchases", ["p9,a1,u1,2025-02-01T00:00:00Z,add_on,1000000000000.00,in_product"]),
        ["upsell_purchases.amount", "1 row", "an amount below a trillion", "such as '1000000000000.00'", "p9"],
    ),
    "unknown_plan": (
        append_rows("subscription_changes", ["c9,a2,u2,2025-03-01T00:00:00Z,starter,platinum,49,999,1,1,self_serve"]),
        ["subscription_changes.to_plan_id", "1 row", "plans.plan_id", "such as 'platinum'", "c9"],
    ),
    # DuckDB cannot read a CSV file with a row of another width; left to guess, it took that
    # row for the header and read nothing, and the build went on without the input checks.
    "row_of_another_width": (
        append_rows("sales_touches", ["t8,a1,2025-02-01T00:00:00Z,call,sales,extra"]),
        ["sales_touches.csv", "1 row", "line", "has 6", "header's 5"],
    ),
    # An export in Latin-1, not UTF-8: DuckDB's own message listed its reader's settings.
    "csv_not_in_utf8": (
        lambda folder: (folder / "accounts.csv").write_bytes(
            (folder / "accounts.csv").read_bytes() + "a9,Café Ltd,2025-01-01T00:00:00Z,smb,FR\n".encode("latin-1")),
        ["accounts.csv cannot be read as CSV", "cannot be read as UTF-8", "Nothing was built"],
    ),
    "missing_column": (drop_column("users", "persona"), ["users.persona", "missing column"]),
    "missing_table": (remove_table("plans"), ["plans", "no file"]),
    # Read with the other files' columns, its rows would have no channel: not self-serve.
    "a_file_without_a_column_the_others_have": (
        split_without_column("upsell_purchases", "channel"),
        ["1 file lacks a column the other files of its table have", "upsell_purchases/part-1.csv (channel)"],
    ),
    # Passed over, its rows would be missing from every mart without a word.
    "a_file_neither_csv_nor_parquet": (
        add_compressed_part("upsell_purchases"),
        ["upsell_purchases/ has 1 file neither .csv nor .parquet", "upsell_purchases/part-1.csv.gz"],
    ),
}


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    db_path = tmp_path_factory.mktemp("good") / "kpis.duckdb"
    build(TINY, db_path)
    return db_path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_input_is_refused_and_marts_stay(case: str, good_build: Path, tmp_path: Path) -> None:
    damage, expected_words = BROKEN[case]
    db_path = tmp_path / "kpis.duckdb"
    shutil.copy(good_build, db_path)
    before = mart_fingerprints(db_path)
    assert len(before) >= 8

    broken = tmp_path / "raw"
    shutil.copytree(TINY, broken)
    damage(broken)
    result = build(broken, db_path, expect_success=False)

    assert result.returncode == 1, result.stdout + result.stderr
    for word in expected_words:
        assert word in result.stderr, f"{word!r} not in:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert mart_fingerprints(db_path) == before


# A new file of events after a good build: the input checks read only its rows (and the staged
# rows of its ids), and must still find every problem, with the message a full check gives.
NEW_EVENT_FILE = {
    "conflicts_with_an_old_row": (["e1,u1,a1,report_shared,2025-01-05T10:00:00Z"], ["product_events.event_id", "1 id", "e1"]),
    "conflicts_within_the_file": (
        ["n1,u1,a1,dashboard_built,2025-03-01T10:00:00Z", "n1,u2,a1,dashboard_built,2025-03-01T10:00:00Z"],
        ["product_events.event_id", "1 id", "n1"],
    ),
    "unreadable_timestamp": (["n2,u1,a1,dashboard_built,last tuesday"], ["product_events.occurred_at", "1 row", "timestamp", "n2"]),
    "missing_user": (["n3,,a1,dashboard_built,2025-03-01T10:00:00Z"], ["product_events.user_id", "1 row", "no value", "n3"]),
}
NEW_FILE_CHECKED_ALONE = "Input checks: product_events, the rows of its 1 new file(s) only"


@pytest.fixture(scope="module")
def built_folder(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the tiny data set and a database built from it (the same paths, so the build
    knows every file of events)."""
    folder = tmp_path_factory.mktemp("by_file")
    shutil.copytree(TINY, folder / "raw")
    build(folder / "raw", folder / "kpis.duckdb")
    return folder / "raw", folder / "kpis.duckdb"


def add_event_file(raw: Path, rows: list[str]) -> Path:
    path = raw / "product_events" / "new.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("event_id,user_id,account_id,event_name,occurred_at\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(NEW_EVENT_FILE))
def test_a_new_file_of_events_is_checked_alone_and_refused(case: str, built_folder: tuple[Path, Path], tmp_path: Path) -> None:
    raw, good_db = built_folder
    db_path = tmp_path / "kpis.duckdb"
    shutil.copy(good_db, db_path)
    before = mart_fingerprints(db_path)
    rows, expected_words = NEW_EVENT_FILE[case]
    new_file = add_event_file(raw, rows)
    try:
        result = build(raw, db_path, expect_success=False)
    finally:
        new_file.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    for word in expected_words:
        assert word in result.stderr, f"{word!r} not in:\n{result.stderr}"
    assert mart_fingerprints(db_path) == before
    # The check read the new file alone, found the problem, then checked every row for the message.
    assert NEW_FILE_CHECKED_ALONE in last_build_log(db_path)


def test_a_good_new_file_of_events_is_checked_alone(built_folder: tuple[Path, Path], tmp_path: Path) -> None:
    """An exact copy of a row already staged (a loader retry) and new events: accepted, and the
    marts are those of the whole input."""
    raw, good_db = built_folder
    db_path = tmp_path / "kpis.duckdb"
    shutil.copy(good_db, db_path)
    new_file = add_event_file(raw, ["e1,u1,a1,dashboard_built,2025-01-05T10:00:00Z",
                                    "n4,u2,a2,paywall_hit,2025-03-02T10:00:00+01:00"])
    try:
        build(raw, db_path)
        assert NEW_FILE_CHECKED_ALONE in last_build_log(db_path)
        assert_marts_match_reference(raw, db_path)
    finally:
        new_file.unlink()


def test_messy_input_gives_the_same_marts(tmp_path: Path) -> None:
    """Exact duplicates, UTC offsets, quoted fields and shuffled rows change nothing."""
    messy = tmp_path / "messy"
    shutil.copytree(TINY, messy)
    path = messy / "product_events.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    # Same instants, written with offsets; a loader retry; reversed order; every field quoted.
    rewritten = []
    for row in body:
        if row[4] == "2025-01-05T10:00:00Z":
            row = row[:4] + ["2025-01-05T15:30:00+05:30"]
        rewritten.append(row)
    rewritten = list(reversed(rewritten + [rewritten[0]]))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rewritten)
    db_clean, db_messy = tmp_path / "clean.duckdb", tmp_path / "messy.duckdb"
    build(TINY, db_clean)
    build(messy, db_messy)
    assert mart_fingerprints(db_clean) == mart_fingerprints(db_messy)
    assert_marts_match_reference(messy, db_messy)


def test_a_change_of_an_account_missing_from_accounts_is_counted_with_a_warning(good_build: Path, tmp_path: Path) -> None:
    """Not an error in the contract (only unknown plans are): the build goes on, says which rows,
    and the account's MRR counts."""
    raw = tmp_path / "raw"
    shutil.copytree(TINY, raw)
    append_rows("subscription_changes", ["c9,nobody,,2025-03-01T00:00:00Z,free,starter,0,49,1,1,self_serve"])(raw)
    db_path = tmp_path / "kpis.duckdb"
    result = build(raw, db_path)
    for word in ["Warning: Unlisted reference", "subscription_changes.account_id", "1 row", "accounts.account_id", "c9"]:
        assert word in result.stderr, f"{word!r} not in:\n{result.stderr}"
    assert_marts_match_reference(raw, db_path)
    march = next(row for row in read_mart(db_path, "fct_arpa") if str(row["revenue_month"]) == "2025-03-01")
    march_before = next(row for row in read_mart(good_build, "fct_arpa") if str(row["revenue_month"]) == "2025-03-01")
    assert march["paying_accounts"] == march_before["paying_accounts"] + 1
    assert march["ending_mrr"] == march_before["ending_mrr"] + 49


def assert_counted_with_warning(tmp_path: Path, changes: list[str], test_name: str, warned: bool) -> None:
    """The tiny data set with `changes` added builds, its marts equal the reference's, and the
    warn-severity test `test_name` warns (one result) exactly when `warned`."""
    raw = tmp_path / "raw"
    shutil.copytree(TINY, raw)
    append_rows("subscription_changes", changes)(raw)
    db_path = tmp_path / "kpis.duckdb"
    result = build(raw, db_path)
    warning = f"Warning: test {test_name}: Got 1 result"
    assert (warning in result.stderr) == warned, result.stderr
    assert ("1 warned" in result.stdout) == warned, result.stdout
    assert_marts_match_reference(raw, db_path)


ORDER_AT_ONE_INSTANT = "warn_stg_billing__subscription_changes_order_at_one_instant"


@pytest.mark.parametrize("second_change, warned", [
    # a2 goes free -> starter at c3's instant; c4 then goes starter -> team: the chain confirms c3, c4.
    ("c4,a2,,2025-02-10T00:00:00Z,starter,team,49,199,1,1,sales_assisted", False),
    # Both set starter at 49: whichever is later, the plan and MRR after the instant are the same.
    ("c4,a2,,2025-02-10T00:00:00Z,free,starter,0,49,1,1,sales_assisted", False),
    # free -> team beside free -> starter: only the change_id order makes team the plan in force.
    ("c4,a2,,2025-02-10T00:00:00Z,free,team,0,199,1,1,sales_assisted", True),
])
def test_changes_at_one_instant_warn_when_only_their_ids_order_them(second_change: str, warned: bool,
                                                                    tmp_path: Path) -> None:
    """Two changes of one account at one instant: ordered by change_id either way (the marts
    equal the reference's); a warning names the test only when that order decides the plan or
    MRR after the instant and the changes do not chain in that order."""
    assert_counted_with_warning(tmp_path, [second_change], ORDER_AT_ONE_INSTANT, warned)


PLAN_HISTORY_CHAINS = "warn_stg_billing__subscription_changes_plan_history_chains"


@pytest.mark.parametrize("changes, warned", [
    # a2 is on starter after c3 (2025-02-10): a change from team means one is missing between.
    (["c4,a2,,2025-03-05T00:00:00Z,team,team,199,299,1,2,self_serve"], True),
    # An empty from_plan_id (a non-paid plan) while starter is in force.
    (["c4,a2,,2025-03-05T00:00:00Z,,team,49,199,1,1,self_serve"], True),
    # a2's history starts on a paid plan: before c0 it counts as on no paid plan.
    (["c0,a2,,2025-01-05T00:00:00Z,starter,free,49,0,1,1,self_serve"], True),
    # A churn to free, then a subscription from an empty plan: each starts where the last ended.
    (["c4,a2,,2025-03-05T00:00:00Z,starter,free,49,0,1,1,self_serve",
      "c5,a2,u2,2025-03-20T00:00:00Z,,starter,0,49,1,1,self_serve"], False),
])
def test_a_change_from_another_plan_than_the_one_in_force_warns(changes: list[str], warned: bool,
                                                                 tmp_path: Path) -> None:
    """A plan history that does not chain is counted as it is (the marts equal the
    reference's), with a warning naming the test."""
    assert_counted_with_warning(tmp_path, changes, PLAN_HISTORY_CHAINS, warned)


def test_a_csv_file_duckdb_cannot_read_is_described_by_its_lines(tmp_path: Path) -> None:
    """The message for DuckDB's failure to read a CSV file counts the rows of another width than
    the header and gives the first lines (a byte-order mark and blank lines are not rows)."""
    from plg.loaders import unreadable_csv_message

    path = tmp_path / "sales_touches.csv"
    path.write_text("\ufeffa,b,c\n1,2,3\n\n4,5\n" + "6,7,8,9\n" * 6, encoding="utf-8")
    error = f'Invalid Input Error: Error when sniffing file "{path}".\nIt was not possible to automatically detect the CSV parsing dialect'
    assert unreadable_csv_message(error) == (
        f"{path} cannot be read as CSV (a header row, comma separators, double-quote quoting): 7 rows with another "
        "number of fields than the header's 3 (line 4 has 2, line 5 has 4, line 6 has 4, line 7 has 4, line 8 has 4, "
        "...); a value holding a comma, a quote or a line break must be in double quotes")
    assert unreadable_csv_message("Binder Error: Referenced column not found") is None


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    result = run_plg("build", "--data-dir", str(TINY), "--db", str(tmp_path / "x.duckdb"), "--vars", "{not json")
    assert result.returncode == 2 and "--vars" in result.stderr
    result = run_plg("build", "--data-dir", str(tmp_path / "missing"), "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode == 2 and "does not exist" in result.stderr
    result = run_plg("report", "--db", str(tmp_path / "x.duckdb"), "--kpi", "happiness")
    assert result.returncode == 2 and "unknown KPI" in result.stderr
    result = run_plg("report", "--db", str(tmp_path / "x.duckdb"), "--from", "March")
    assert result.returncode == 2 and "--from" in result.stderr


def test_report_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    result = run_plg("report", "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1
    assert "plg build" in result.stderr


def test_a_bad_setting_is_refused_with_its_name(tmp_path: Path) -> None:
    result = build(TINY, tmp_path / "kpis.duckdb", "--vars", '{"activation_window_days": "two weeks"}', expect_success=False)
    assert result.returncode == 1
    assert "activation_window_days" in result.stderr


def test_typed_parquet_and_mixed_folders_give_the_same_marts(tmp_path: Path) -> None:
    """Parquet with typed columns (TIMESTAMPTZ, naive TIMESTAMP = UTC, BOOLEAN, INTEGER,
    DECIMAL, DOUBLE), and a table split into a folder of one CSV and one Parquet file."""
    import duckdb

    from plg.generate import generate

    csv_dir, typed_dir = tmp_path / "csv", tmp_path / "typed"
    generate(csv_dir, accounts=150, seed=21, fmt="csv")
    typed_dir.mkdir()
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")

    def read(table: str) -> str:
        return f"read_csv('{csv_dir / table}.csv', header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"

    def utc(column: str) -> str:
        return f"timezone('UTC', cast(replace({column}, ',', '.') as timestamptz))"

    statements = {
        "accounts": f"select account_id, account_name, {utc('created_at')} as created_at, segment, country from {read('accounts')}",
        "users": f"select user_id, account_id, cast({utc('created_at')} as timestamptz) as created_at, persona, acquisition_source from {read('users')}",
        "plans": f"select plan_id, plan_name, cast(tier_rank as integer) as tier_rank, cast(is_paid as boolean) as is_paid, "
                 f"cast(monthly_price as decimal(10, 2)) as monthly_price from {read('plans')}",
        "subscription_changes": f"select change_id, account_id, initiated_by_user_id, {utc('changed_at')} as changed_at, from_plan_id, "
                                f"to_plan_id, cast(mrr_before as double) as mrr_before, cast(mrr_after as decimal(12, 2)) as mrr_after, "
                                f"cast(seats_before as integer) as seats_before, cast(seats_after as bigint) as seats_after, channel "
                                f"from {read('subscription_changes')}",
        "upsell_purchases": f"select purchase_id, account_id, user_id, cast({utc('purchased_at')} as timestamptz) as purchased_at, "
                            f"upsell_type, cast(amount as decimal(12, 2)) as amount, channel from {read('upsell_purchases')}",
        "sales_touches": f"select touch_id, account_id, {utc('touched_at')} as touched_at, touch_type, team from {read('sales_touches')}",
    }
    for table, select in statements.items():
        connection.execute(f"copy ({select}) to '{typed_dir / table}.parquet' (format parquet)")
    # Events: a folder holding half the rows as typed Parquet and half as CSV text.
    (typed_dir / "product_events").mkdir()
    events = f"select event_id, user_id, account_id, event_name, occurred_at from {read('product_events')}"
    connection.execute(f"copy (select event_id, user_id, account_id, event_name, cast({utc('occurred_at')} as timestamptz) as occurred_at "
                       f"from ({events}) where hash(event_id) % 2 = 0) to '{typed_dir}/product_events/part-1.parquet' (format parquet)")
    connection.execute(f"copy (select * from ({events}) where hash(event_id) % 2 = 1) to '{typed_dir}/product_events/part-2.csv' (header)")
    connection.close()

    db_csv, db_typed = tmp_path / "csv.duckdb", tmp_path / "typed.duckdb"
    build(csv_dir, db_csv)
    build(typed_dir, db_typed)
    assert mart_fingerprints(db_csv) == mart_fingerprints(db_typed)


def test_nested_event_folders_are_read_and_bookkeeping_files_passed_over(good_build: Path, tmp_path: Path) -> None:
    """Events split over a folder with sub-folders (Hive-style day=... folders, an upper-case
    extension), beside what other tools leave there: a macOS `._` file, Spark's `_SUCCESS`
    and `_temporary/` (here holding a row that would conflict), a hidden folder. The same marts
    as the one-file table, equal to the reference."""
    nested = tmp_path / "nested"
    shutil.copytree(TINY, nested)
    (nested / "product_events.csv").unlink()
    with open(TINY / "product_events.csv", newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    parts = {"product_events/first.csv": rows[:1], "product_events/day=2025-01/part-0.CSV": rows[1:3],
             "product_events/day=2025-02/hour=10/part-0.csv": rows[3:]}
    conflicting = [["e1", "u2", "a2", "report_shared", "2025-02-01T00:00:00Z"]]
    for name, part_rows in [*parts.items(), ("product_events/_temporary/0/part-9.csv", conflicting),
                            ("product_events/.partial/part-9.csv", conflicting)]:
        (nested / name).parent.mkdir(parents=True, exist_ok=True)
        with open(nested / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *part_rows])
    # An empty file and a header-only one: no rows, and no column missing.
    (nested / "product_events/day=2025-03").mkdir()
    (nested / "product_events/day=2025-03/empty.csv").write_text("")
    (nested / "product_events/day=2025-03/header.csv").write_text(",".join(header) + "\n")
    (nested / "product_events/._first.csv").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    (nested / "product_events/_SUCCESS").write_text("")
    db_nested = tmp_path / "nested.duckdb"
    build(nested, db_nested)
    assert mart_fingerprints(good_build) == mart_fingerprints(db_nested)
    assert_marts_match_reference(nested, db_nested)


def test_a_folder_name_with_a_quote_is_data_not_code(tmp_path: Path) -> None:
    data_dir = tmp_path / "it's raw data; drop table x"
    shutil.copytree(TINY, data_dir)
    db_path = tmp_path / "kpis.duckdb"
    build(data_dir, db_path)
    assert mart_fingerprints(db_path)


@pytest.mark.parametrize("settings, named", [
    ({"raw_schema": 'raw"; drop table main.fct_arpa; --'}, "raw_schema"),
    ({"raw_tables": {"product_events": "events; drop table x"}}, "raw_tables.product_events"),
])
def test_a_schema_or_table_name_setting_must_be_a_plain_name(settings, named, good_build: Path, tmp_path: Path) -> None:
    import json

    db_path = tmp_path / "kpis.duckdb"
    shutil.copy(good_build, db_path)
    before = mart_fingerprints(db_path)
    result = build(TINY, db_path, "--vars", json.dumps(settings), expect_success=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert named in result.stderr and "plain name" in result.stderr
    assert mart_fingerprints(db_path) == before


def test_the_warehouse_loader_refuses_a_file_without_a_column_the_others_have(tmp_path: Path) -> None:
    """The loader of the warehouse targets applies the DuckDB path's rule before loading: a
    file of a table folder without a column the others have stops it, an empty file does not."""
    from plg.loaders import TargetError, check_columns_of_each_file, table_files

    data_dir = tmp_path / "raw"
    shutil.copytree(TINY, data_dir)
    split_without_column("upsell_purchases", "channel")(data_dir)
    (data_dir / "upsell_purchases" / "empty.csv").write_text("")
    with pytest.raises(TargetError, match=r"1 file lacks a column .*upsell_purchases/part-1\.csv \(channel\)"):
        check_columns_of_each_file(data_dir, table_files(data_dir))
    (data_dir / "upsell_purchases" / "part-1.csv").unlink()
    check_columns_of_each_file(data_dir, table_files(data_dir))


def test_the_readme_lists_every_required_value() -> None:
    """The README's list of required values is the one the input checks use (the sources' meta)."""
    project = Path(__file__).resolve().parents[1]
    required = set()
    for sources_file in (project / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(sources_file.read_text())["sources"]:
            for table in source["tables"]:
                required |= {f"{table['name']}.{column['name']}" for column in table["columns"]
                             if (column.get("meta") or {}).get("required")}
    readme = (project / "README.md").read_text()
    paragraph = readme.split("Required values (`meta: required` in the sources):")[1].split("Every other")[0]
    assert set(re.findall(r"`(\w+\.\w+)`", paragraph)) == required
