"""Independent reference implementation of the project's KPI marts.

This module recomputes every mart of the KPI contract in plain Python, straight from the
contract's wording and the readings recorded in DECISIONLOG.md. The end-to-end tests build
the dbt project on a data set and compare every mart cell against what this module computes
from the same files, so the two implementations check each other.

Only the standard library is used, plus pyarrow (imported lazily) for reading Parquet files.

Public interface:

- ``load_dataset(data_dir)``: read and type the seven raw tables from a folder.
- ``DEFAULT_SETTINGS``: the contract's settings and their defaults.
- ``compute_kpis(data_dir_or_tables, settings=None)``: rows of every mart.
- ``compare_marts(expected_rows, actual_rows, key_columns, tolerance=0.01)``: differences.
- ``MART_KEYS``: the key columns of every mart.

Conventions of the returned rows: months and period starts are ``datetime.date`` (first
day); counts are ``int``; rates are ``float`` percentages, ``None`` when the denominator is
0; money is ``decimal.Decimal``. Rows are sorted by their key columns.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
import os
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Mapping

# ---------------------------------------------------------------------------
# Schema of the raw tables (contract section 1)
# ---------------------------------------------------------------------------

TABLE_COLUMNS: dict[str, list[str]] = {
    "accounts": ["account_id", "account_name", "created_at", "segment", "country"],
    "users": ["user_id", "account_id", "created_at", "persona", "acquisition_source"],
    "plans": ["plan_id", "plan_name", "tier_rank", "is_paid", "monthly_price"],
    "product_events": ["event_id", "user_id", "account_id", "event_name", "occurred_at"],
    "subscription_changes": [
        "change_id",
        "account_id",
        "initiated_by_user_id",
        "changed_at",
        "from_plan_id",
        "to_plan_id",
        "mrr_before",
        "mrr_after",
        "seats_before",
        "seats_after",
        "channel",
    ],
    "upsell_purchases": [
        "purchase_id",
        "account_id",
        "user_id",
        "purchased_at",
        "upsell_type",
        "amount",
        "channel",
    ],
    "sales_touches": ["touch_id", "account_id", "touched_at", "touch_type", "team"],
}

ID_COLUMNS = {
    "account_id",
    "user_id",
    "plan_id",
    "event_id",
    "change_id",
    "initiated_by_user_id",
    "from_plan_id",
    "to_plan_id",
    "purchase_id",
    "touch_id",
}
TIMESTAMP_COLUMNS = {"created_at", "occurred_at", "changed_at", "purchased_at", "touched_at"}
MONEY_COLUMNS = {"monthly_price", "mrr_before", "mrr_after", "amount"}
INTEGER_COLUMNS = {"tier_rank", "seats_before", "seats_after"}
BOOLEAN_COLUMNS = {"is_paid"}

TRUE_WORDS = {"true", "t", "1", "yes", "y"}
FALSE_WORDS = {"false", "f", "0", "no", "n"}

# ---------------------------------------------------------------------------
# Settings (contract section 2)
# ---------------------------------------------------------------------------

DEFAULT_SETTINGS: dict[str, Any] = {
    "activation_events": ["dashboard_built", "report_shared"],
    "upgrade_intent_events": [
        "pricing_page_viewed",
        "paywall_hit",
        "usage_limit_warning",
        "upgrade_cta_clicked",
    ],
    "activation_window_days": 14,
    "sales_touch_lookback_days": 30,
    "self_serve_change_channel": "self_serve",
    "self_serve_purchase_channel": "in_product",
    "team_expansion_upsell_types": ["seats"],
}

# ---------------------------------------------------------------------------
# Marts and their key columns (contract section 3)
# ---------------------------------------------------------------------------

MART_KEYS: dict[str, list[str]] = {
    "fct_self_serve_upgrade_rate": ["activation_month"],
    "fct_upgrade_intent_signal_rate": ["activity_month"],
    "fct_self_serve_upsell_revenue": ["revenue_month", "upsell_type"],
    "fct_plan_upgrade_rate": ["period_grain", "period_start", "from_plan_id"],
    "fct_self_serve_expansion_revenue": ["revenue_month", "expansion_type"],
    "fct_mrr_movements": ["revenue_month"],
    "fct_net_revenue_retention": ["revenue_month"],
    "fct_arpa": ["revenue_month"],
}

Row = dict[str, Any]
Tables = dict[str, list[Row]]

# ===========================================================================
# Value parsing
# ===========================================================================


def _is_blank(value: Any) -> bool:
    """True for a missing value: None, an empty or all-space string, or a float NaN."""
    if value is None:
        return True
    if isinstance(value, str) and value.strip() == "":
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def parse_id(value: Any) -> str | None:
    """An id as text; a missing value becomes None."""
    if _is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_text(value: Any) -> str | None:
    """A text value; a missing value becomes None."""
    if _is_blank(value):
        return None
    return str(value)


def parse_timestamp(value: Any) -> dt.datetime | None:
    """An instant as a timezone-naive UTC ``datetime``.

    Accepts ISO 8601 text ('Z', numeric offsets, fractional seconds, no offset = UTC),
    ``datetime`` values (naive = UTC, aware ones converted to UTC) and ``date`` values
    (midnight UTC).
    """
    if _is_blank(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(text.upper())  # ISO 8601 allows 't' and 'z'
        except ValueError as exc:
            raise ValueError(f"cannot read timestamp {text!r}") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def parse_money(value: Any) -> Decimal | None:
    """A money amount as ``Decimal``; a missing value becomes None."""
    if _is_blank(value):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(f"cannot read number {value!r}")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"cannot read number {value!r}") from exc


def parse_integer(value: Any) -> int | None:
    """An integer; a missing value becomes None. '3' and '3.0' both read as 3."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"cannot read integer {value!r}")
    if isinstance(value, int):
        return value
    number = parse_money(value)
    if number is None or number != number.to_integral_value():
        raise ValueError(f"cannot read integer {value!r}")
    return int(number)


def parse_boolean(value: Any) -> bool | None:
    """A boolean from true/false (any case), t/f, 1/0, or a typed boolean."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"cannot read boolean {value!r}")


def parse_value(column: str, value: Any) -> Any:
    """Type one raw value according to the contract type of its column."""
    if column in ID_COLUMNS:
        return parse_id(value)
    if column in TIMESTAMP_COLUMNS:
        return parse_timestamp(value)
    if column in MONEY_COLUMNS:
        return parse_money(value)
    if column in INTEGER_COLUMNS:
        return parse_integer(value)
    if column in BOOLEAN_COLUMNS:
        return parse_boolean(value)
    return parse_text(value)


# ===========================================================================
# Loading
# ===========================================================================


def _read_csv_file(path: Path) -> list[Row]:
    """Rows of one CSV file (header row, comma separator, double-quote quoting)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def _read_parquet_file(path: Path) -> list[Row]:
    """Rows of one Parquet file, with nanosecond timestamps reduced to microseconds."""
    import pyarrow as pa  # imported lazily: only needed for Parquet input
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            column = column.cast(pa.timestamp("us", tz=field.type.tz), safe=False)
        columns.append(column)
    table = pa.Table.from_arrays(columns, names=table.schema.names)
    return table.to_pylist()


def _read_data_file(path: Path) -> list[Row]:
    """Rows of one .csv or .parquet file."""
    if path.suffix.lower() == ".csv":
        return _read_csv_file(path)
    if path.suffix.lower() == ".parquet":
        return _read_parquet_file(path)
    raise ValueError(f"unsupported file type: {path}")


def _table_files(data_dir: Path, table: str) -> list[Path]:
    """The files that together make one table: a single file, or the CSV and Parquet files
    of a sub-folder at any depth, except where a name below it starts with '.' or '_'. Any
    other file in the sub-folder is an error."""
    sources = sorted(path for path in data_dir.iterdir()
                     if path.is_file() and path.name.lower() in (f"{table}.csv", f"{table}.parquet"))
    folder = data_dir / table
    for directory, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith((".", "_")))
        for name in sorted(names):
            if name.startswith((".", "_")):
                continue
            if Path(name).suffix.lower() not in (".csv", ".parquet"):
                raise ValueError(f"table {table}: {Path(directory) / name} is neither CSV nor Parquet")
            sources.append(Path(directory) / name)
    if not sources:
        raise ValueError(f"table {table}: no {table}.csv, {table}.parquet or {table}/ in {data_dir}")
    return sources


def _type_rows(table: str, raw_rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Type every value of a table's rows; columns outside the contract are dropped."""
    columns = TABLE_COLUMNS[table]
    typed: list[Row] = []
    for raw in raw_rows:
        row: Row = {}
        for column in columns:
            try:
                row[column] = parse_value(column, raw.get(column))
            except ValueError as exc:
                raise ValueError(f"table {table}, column {column}: {exc}") from exc
        typed.append(row)
    return typed


def _drop_exact_duplicates(table: str, rows: list[Row]) -> list[Row]:
    """Keep the first of rows that are identical after typing (loader retries)."""
    columns = TABLE_COLUMNS[table]
    seen: set[tuple] = set()
    unique: list[Row] = []
    for row in rows:
        signature = tuple(row[column] for column in columns)
        if signature not in seen:
            seen.add(signature)
            unique.append(row)
    return unique


def normalise_tables(raw_tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> Tables:
    """Type and de-duplicate a dict of raw rows; a table that is absent becomes empty.

    Already-typed values pass through unchanged, so this is safe to apply twice.
    """
    tables: Tables = {}
    for table in TABLE_COLUMNS:
        typed = _type_rows(table, raw_tables.get(table, []))
        tables[table] = _drop_exact_duplicates(table, typed)
    return tables


def load_dataset(data_dir: str | os.PathLike) -> Tables:
    """Read the seven tables of a data set folder, typed and without exact duplicates.

    Each table is ``<table>.csv``, ``<table>.parquet`` or a sub-folder ``<table>/`` of
    ``.csv`` and ``.parquet`` files that together make the table.
    """
    folder = Path(data_dir)
    raw_tables: dict[str, list[Row]] = {}
    for table, columns in TABLE_COLUMNS.items():
        rows: list[Row] = []
        for path in _table_files(folder, table):
            file_rows = _read_data_file(path)
            _check_columns(table, path, file_rows, columns)
            rows.extend(file_rows)
        raw_tables[table] = rows
    return normalise_tables(raw_tables)


def _check_columns(table: str, path: Path, rows: list[Row], columns: list[str]) -> None:
    """Raise when a file's rows lack a contract column (CSV headers are checked too). An empty
    file has no rows and no header: nothing to lack."""
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
        if not header:
            return
        present = set(header)
    elif rows:
        present = set(rows[0])
    else:
        return
    missing = [column for column in columns if column not in present]
    if missing:
        raise ValueError(f"table {table}: file {path.name} lacks column(s) {', '.join(missing)}")


# ===========================================================================
# Calendar helpers
# ===========================================================================


def month_start(moment: dt.datetime | dt.date) -> dt.date:
    """First day of the UTC calendar month holding ``moment``."""
    return dt.date(moment.year, moment.month, 1)


def next_month(month: dt.date) -> dt.date:
    """First day of the month after ``month``."""
    if month.month == 12:
        return dt.date(month.year + 1, 1, 1)
    return dt.date(month.year, month.month + 1, 1)


def quarter_start(moment: dt.datetime | dt.date) -> dt.date:
    """First day of the UTC calendar quarter holding ``moment``."""
    first_month = 3 * ((moment.month - 1) // 3) + 1
    return dt.date(moment.year, first_month, 1)


def next_quarter(quarter: dt.date) -> dt.date:
    """First day of the quarter after ``quarter``."""
    return next_month(next_month(next_month(quarter)))


def first_instant(day: dt.date) -> dt.datetime:
    """Midnight UTC at the start of ``day``."""
    return dt.datetime(day.year, day.month, day.day)


def period_spine(first: dt.date, last: dt.date, step) -> list[dt.date]:
    """Every period start from ``first`` to ``last`` (both included), advancing with ``step``."""
    periods = []
    current = first
    while current <= last:
        periods.append(current)
        current = step(current)
    return periods


def rate_pct(numerator: int | Decimal, denominator: int | Decimal) -> float | None:
    """``100 * numerator / denominator`` as a float, None when the denominator is 0."""
    if denominator == 0:
        return None
    return float(100 * Decimal(numerator) / Decimal(denominator))


def _sort_value(value: Any) -> tuple:
    """Sort key for one value with None placed first."""
    return (0, "") if value is None else (1, value)


def _sort_rows(rows: list[Row], key_columns: list[str]) -> list[Row]:
    """Rows sorted by their key columns."""
    return sorted(rows, key=lambda row: tuple(_sort_value(row[c]) for c in key_columns))


# ===========================================================================
# Indexes over the data
# ===========================================================================


class PlanBook:
    """Lookup of plans by id."""

    def __init__(self, plans: list[Row]):
        self.by_id = {plan["plan_id"]: plan for plan in plans}

    def _plan(self, plan_id: str) -> Row:
        if plan_id not in self.by_id:
            raise ValueError(f"plan id {plan_id!r} is not listed in plans")
        return self.by_id[plan_id]

    def is_paid(self, plan_id: str | None) -> bool:
        """True when the plan is paid; a missing plan id counts as non-paid."""
        if plan_id is None:
            return False
        return bool(self._plan(plan_id)["is_paid"])

    def tier_rank(self, plan_id: str | None) -> int:
        """The plan's tier rank; a missing plan id ranks 0 (non-paid)."""
        if plan_id is None:
            return 0
        rank = self._plan(plan_id)["tier_rank"]
        return 0 if rank is None else rank


class ChangeHistory:
    """Every account's subscription changes in time order.

    Changes at the same instant are ordered by ``change_id`` (text order): the greater id
    is the later change.
    """

    def __init__(self, changes: list[Row]):
        by_account: dict[str | None, list[Row]] = defaultdict(list)
        for change in changes:
            by_account[change["account_id"]].append(change)
        self.changes: dict[str | None, list[Row]] = {}
        self.times: dict[str | None, list[dt.datetime]] = {}
        for account_id, account_changes in by_account.items():
            ordered = sorted(account_changes, key=lambda c: (c["changed_at"], c["change_id"] or ""))
            self.changes[account_id] = ordered
            self.times[account_id] = [c["changed_at"] for c in ordered]

    def accounts(self) -> list[str | None]:
        """Accounts with at least one change."""
        return list(self.changes)

    def latest_before(self, account_id: str | None, instant: dt.datetime) -> Row | None:
        """The account's latest change strictly before ``instant`` (None if there is none)."""
        times = self.times.get(account_id)
        if not times:
            return None
        position = bisect.bisect_left(times, instant)
        if position == 0:
            return None
        return self.changes[account_id][position - 1]

    def plan_in_force(self, account_id: str | None, instant: dt.datetime) -> str | None:
        """The plan set by the latest change strictly before ``instant``; None = none yet."""
        change = self.latest_before(account_id, instant)
        return None if change is None else change["to_plan_id"]

    def changes_between(
        self, account_id: str | None, start: dt.datetime, end: dt.datetime
    ) -> list[Row]:
        """The account's changes with ``start <= changed_at < end``."""
        times = self.times.get(account_id, [])
        low = bisect.bisect_left(times, start)
        high = bisect.bisect_left(times, end)
        return self.changes.get(account_id, [])[low:high]


class SalesTouchIndex:
    """Sorted sales-touch instants per account, for the look-back test."""

    def __init__(self, touches: list[Row], lookback: dt.timedelta):
        by_account: dict[str | None, list[dt.datetime]] = defaultdict(list)
        for touch in touches:
            if touch["touched_at"] is not None:
                by_account[touch["account_id"]].append(touch["touched_at"])
        self.times = {account: sorted(times) for account, times in by_account.items()}
        self.lookback = lookback

    def is_touched(self, account_id: str | None, instant: dt.datetime) -> bool:
        """True when the account has a touch x with ``instant - lookback <= x <= instant``."""
        times = self.times.get(account_id)
        if not times:
            return False
        position = bisect.bisect_left(times, instant - self.lookback)
        return position < len(times) and times[position] <= instant


def _resolve_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults overridden by the given settings."""
    resolved = dict(DEFAULT_SETTINGS)
    if settings:
        unknown = set(settings) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        resolved.update(settings)
    return resolved


INSTANT_COLUMNS = {
    "product_events": "occurred_at",
    "subscription_changes": "changed_at",
    "upsell_purchases": "purchased_at",
    "sales_touches": "touched_at",
}


def _check_instants(tables: Tables) -> None:
    """Raise when a row that the marts place in time has no timestamp."""
    for table, column in INSTANT_COLUMNS.items():
        missing = sum(1 for row in tables[table] if row[column] is None)
        if missing:
            raise ValueError(f"table {table}, column {column}: {missing} row(s) without a timestamp")


class Context:
    """The typed tables, settings and indexes every mart computation shares."""

    def __init__(self, tables: Tables, settings: Mapping[str, Any] | None):
        _check_instants(tables)
        self.tables = tables
        self.settings = _resolve_settings(settings)
        self.plans = PlanBook(tables["plans"])
        self.history = ChangeHistory(tables["subscription_changes"])
        self.touches = SalesTouchIndex(
            tables["sales_touches"], dt.timedelta(days=self.settings["sales_touch_lookback_days"])
        )
        self.activation_window = dt.timedelta(days=self.settings["activation_window_days"])

    def is_paid_at(self, account_id: str | None, instant: dt.datetime) -> bool:
        """True when the plan in force for the account at ``instant`` is paid."""
        return self.plans.is_paid(self.history.plan_in_force(account_id, instant))

    def change_span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """Instants of the first and the last subscription change, or None without changes."""
        instants = [c["changed_at"] for c in self.tables["subscription_changes"]]
        if not instants:
            return None
        return min(instants), max(instants)

    def mrr_at(self, account_id: str | None, instant: dt.datetime) -> Decimal:
        """The account's MRR set by its latest change strictly before ``instant``.

        It is the change's ``mrr_after`` when the change's to_plan is paid, else 0; a
        missing ``mrr_after`` counts as 0.
        """
        change = self.history.latest_before(account_id, instant)
        if change is None or not self.plans.is_paid(change["to_plan_id"]):
            return Decimal(0)
        return change["mrr_after"] if change["mrr_after"] is not None else Decimal(0)


# ===========================================================================
# fct_self_serve_upgrade_rate
# ===========================================================================


def _activations(ctx: Context) -> dict[str, tuple[dt.datetime, str | None]]:
    """Each user's activation: (instant, account) of their first activation event.

    The account is ``users.account_id``; for a user missing from ``users`` the event's own
    ``account_id`` stands in. Events without a user are skipped. Among events at the same
    instant the smaller ``event_id`` is taken (it only matters for the fallback account).
    """
    activation_events = set(ctx.settings["activation_events"])
    first_event: dict[str, Row] = {}
    for event in ctx.tables["product_events"]:
        user_id = event["user_id"]
        if user_id is None or event["event_name"] not in activation_events:
            continue
        current = first_event.get(user_id)
        candidate_key = (event["occurred_at"], event["event_id"] or "")
        if current is None or candidate_key < (current["occurred_at"], current["event_id"] or ""):
            first_event[user_id] = event
    user_accounts = {user["user_id"]: user["account_id"] for user in ctx.tables["users"]}
    activations = {}
    for user_id, event in first_event.items():
        account_id = user_accounts[user_id] if user_id in user_accounts else event["account_id"]
        activations[user_id] = (event["occurred_at"], account_id)
    return activations


def _self_serve_upgrade_instants(ctx: Context) -> dict[str, list[dt.datetime]]:
    """Per initiating user, the sorted instants of their qualifying self-serve upgrades.

    A qualifying upgrade goes from a non-paid plan (per from_plan_id; missing = non-paid) to a
    paid plan, on the self-serve channel, and is not sales-touched (judged on the change's
    account at the change's instant).
    """
    channel = ctx.settings["self_serve_change_channel"]
    by_user: dict[str, list[dt.datetime]] = defaultdict(list)
    for change in ctx.tables["subscription_changes"]:
        if change["initiated_by_user_id"] is None:
            continue
        if change["channel"] != channel:
            continue
        if ctx.plans.is_paid(change["from_plan_id"]) or not ctx.plans.is_paid(change["to_plan_id"]):
            continue
        if ctx.touches.is_touched(change["account_id"], change["changed_at"]):
            continue
        by_user[change["initiated_by_user_id"]].append(change["changed_at"])
    return {user: sorted(instants) for user, instants in by_user.items()}


def _has_instant_between(instants: list[dt.datetime], low: dt.datetime, high: dt.datetime) -> bool:
    """True when a sorted list holds an instant x with ``low <= x <= high``."""
    position = bisect.bisect_left(instants, low)
    return position < len(instants) and instants[position] <= high


def self_serve_upgrade_rate(ctx: Context) -> list[Row]:
    """Rows of fct_self_serve_upgrade_rate, one per month with at least one activation."""
    upgrades = _self_serve_upgrade_instants(ctx)
    activated: dict[dt.date, int] = defaultdict(int)
    upgraded: dict[dt.date, int] = defaultdict(int)
    months: set[dt.date] = set()
    for user_id, (activation, account_id) in _activations(ctx).items():
        month = month_start(activation)
        months.add(month)
        if ctx.is_paid_at(account_id, activation):
            continue
        activated[month] += 1
        window_end = activation + ctx.activation_window
        if _has_instant_between(upgrades.get(user_id, []), activation, window_end):
            upgraded[month] += 1
    rows = [
        {
            "activation_month": month,
            "activated_users": activated[month],
            "upgraded_users": upgraded[month],
            "upgrade_rate_pct": rate_pct(upgraded[month], activated[month]),
        }
        for month in months
    ]
    return _sort_rows(rows, MART_KEYS["fct_self_serve_upgrade_rate"])


# ===========================================================================
# fct_upgrade_intent_signal_rate
# ===========================================================================


def upgrade_intent_signal_rate(ctx: Context) -> list[Row]:
    """Rows of fct_upgrade_intent_signal_rate, one per month with at least one event.

    An event counts when the event's account is on a non-paid plan in force at its instant.
    """
    intent_events = set(ctx.settings["upgrade_intent_events"])
    months: set[dt.date] = set()
    active: dict[dt.date, set[str]] = defaultdict(set)
    signaled: dict[dt.date, set[str]] = defaultdict(set)
    for event in ctx.tables["product_events"]:
        month = month_start(event["occurred_at"])
        months.add(month)
        if event["user_id"] is None:
            continue
        if ctx.is_paid_at(event["account_id"], event["occurred_at"]):
            continue
        active[month].add(event["user_id"])
        if event["event_name"] in intent_events:
            signaled[month].add(event["user_id"])
    rows = [
        {
            "activity_month": month,
            "active_free_users": len(active[month]),
            "signaled_users": len(signaled[month]),
            "signal_rate_pct": rate_pct(len(signaled[month]), len(active[month])),
        }
        for month in months
    ]
    return _sort_rows(rows, MART_KEYS["fct_upgrade_intent_signal_rate"])


# ===========================================================================
# fct_self_serve_upsell_revenue
# ===========================================================================


def self_serve_upsell_revenue(ctx: Context) -> list[Row]:
    """Rows of fct_self_serve_upsell_revenue, one per (month, type) with a qualifying purchase.

    A purchase qualifies on the in-product channel, with a type that is not a team
    expansion type, when it is not sales-touched at its own instant. Refunds (negative
    amounts) count in the month they happen.
    """
    channel = ctx.settings["self_serve_purchase_channel"]
    team_types = set(ctx.settings["team_expansion_upsell_types"])
    revenue: dict[tuple[dt.date, str | None], Decimal] = {}
    for purchase in ctx.tables["upsell_purchases"]:
        if purchase["channel"] != channel or purchase["upsell_type"] in team_types:
            continue
        if ctx.touches.is_touched(purchase["account_id"], purchase["purchased_at"]):
            continue
        key = (month_start(purchase["purchased_at"]), purchase["upsell_type"])
        amount = purchase["amount"] if purchase["amount"] is not None else Decimal(0)
        revenue[key] = revenue.get(key, Decimal(0)) + amount
    rows = [
        {"revenue_month": month, "upsell_type": upsell_type, "upsell_revenue": total}
        for (month, upsell_type), total in revenue.items()
    ]
    return _sort_rows(rows, MART_KEYS["fct_self_serve_upsell_revenue"])


# ===========================================================================
# fct_plan_upgrade_rate
# ===========================================================================


def _is_paid_tier_upgrade(ctx: Context, change: Row) -> bool:
    """True for a change from a paid plan to a paid plan of higher tier_rank."""
    from_plan, to_plan = change["from_plan_id"], change["to_plan_id"]
    return (
        ctx.plans.is_paid(from_plan)
        and ctx.plans.is_paid(to_plan)
        and ctx.plans.tier_rank(to_plan) > ctx.plans.tier_rank(from_plan)
    )


def _plan_upgrade_rows_for_period(
    ctx: Context, grain: str, start: dt.date, end: dt.date
) -> list[Row]:
    """Rows of one period: subscribers at its first instant by plan, and who upgraded."""
    start_instant, end_instant = first_instant(start), first_instant(end)
    subscribers: dict[str, int] = defaultdict(int)
    upgraded: dict[str, int] = defaultdict(int)
    for account_id in ctx.history.accounts():
        plan_id = ctx.history.plan_in_force(account_id, start_instant)
        if not ctx.plans.is_paid(plan_id):
            continue
        subscribers[plan_id] += 1
        changes = ctx.history.changes_between(account_id, start_instant, end_instant)
        if any(_is_paid_tier_upgrade(ctx, change) for change in changes):
            upgraded[plan_id] += 1
    return [
        {
            "period_grain": grain,
            "period_start": start,
            "from_plan_id": plan_id,
            "subscribers_at_start": count,
            "upgraded_subscribers": upgraded[plan_id],
            "upgrade_rate_pct": rate_pct(upgraded[plan_id], count),
        }
        for plan_id, count in subscribers.items()
    ]


def plan_upgrade_rate(ctx: Context) -> list[Row]:
    """Rows of fct_plan_upgrade_rate for every month and every quarter of the change span."""
    span = ctx.change_span()
    if span is None:
        return []
    first, last = span
    rows: list[Row] = []
    for grain, start_of, step in (
        ("month", month_start, next_month),
        ("quarter", quarter_start, next_quarter),
    ):
        for start in period_spine(start_of(first), start_of(last), step):
            rows.extend(_plan_upgrade_rows_for_period(ctx, grain, start, step(start)))
    return _sort_rows(rows, MART_KEYS["fct_plan_upgrade_rate"])


# ===========================================================================
# fct_self_serve_expansion_revenue
# ===========================================================================


def _expansion_type(ctx: Context, change: Row) -> str:
    """tier_upgrade, seat_expansion or other_expansion for a qualifying change."""
    from_plan, to_plan = change["from_plan_id"], change["to_plan_id"]
    if ctx.plans.tier_rank(to_plan) > ctx.plans.tier_rank(from_plan):
        return "tier_upgrade"
    seats_before, seats_after = change["seats_before"], change["seats_after"]
    if (
        to_plan == from_plan
        and seats_before is not None
        and seats_after is not None
        and seats_after > seats_before
    ):
        return "seat_expansion"
    return "other_expansion"


def self_serve_expansion_revenue(ctx: Context) -> list[Row]:
    """Rows of fct_self_serve_expansion_revenue, one per (month, type) with a qualifying change.

    A change qualifies when it is from a paid plan, raises MRR, is on the self-serve channel
    and is not sales-touched; its revenue is ``mrr_after - mrr_before``.
    """
    channel = ctx.settings["self_serve_change_channel"]
    revenue: dict[tuple[dt.date, str], Decimal] = {}
    for change in ctx.tables["subscription_changes"]:
        before, after = change["mrr_before"], change["mrr_after"]
        if before is None or after is None or not after > before:
            continue
        if change["channel"] != channel or not ctx.plans.is_paid(change["from_plan_id"]):
            continue
        if ctx.touches.is_touched(change["account_id"], change["changed_at"]):
            continue
        key = (month_start(change["changed_at"]), _expansion_type(ctx, change))
        revenue[key] = revenue.get(key, Decimal(0)) + (after - before)
    rows = [
        {"revenue_month": month, "expansion_type": kind, "expansion_revenue": total}
        for (month, kind), total in revenue.items()
    ]
    return _sort_rows(rows, MART_KEYS["fct_self_serve_expansion_revenue"])


# ===========================================================================
# The revenue metric tree: fct_mrr_movements, fct_net_revenue_retention, fct_arpa
# ===========================================================================


def _revenue_months(ctx: Context) -> list[dt.date]:
    """Every month from the first subscription change's month to the last's."""
    span = ctx.change_span()
    if span is None:
        return []
    return period_spine(month_start(span[0]), month_start(span[1]), next_month)


def revenue_tree(ctx: Context) -> dict[str, list[Row]]:
    """Rows of fct_mrr_movements, fct_net_revenue_retention and fct_arpa.

    Per account, prev is the MRR at the previous month's end and cur the MRR at this
    month's end (the first instant of the next month, exclusive).
    """
    accounts = ctx.history.accounts()
    had_mrr: set[str | None] = set()  # accounts with MRR > 0 at an earlier month end
    movements, retention, arpa_rows = [], [], []
    for month in _revenue_months(ctx):
        totals = {name: Decimal(0) for name in (
            "starting", "new", "expansion", "contraction", "churned", "reactivation",
            "ending", "retained",
        )}
        paying = 0
        for account_id in accounts:
            prev = ctx.mrr_at(account_id, first_instant(month))
            cur = ctx.mrr_at(account_id, first_instant(next_month(month)))
            if prev > 0:
                had_mrr.add(account_id)
            totals["starting"] += prev
            totals["ending"] += cur
            if prev > 0:
                totals["retained"] += cur
            if cur > 0:
                paying += 1
            if prev == 0 and cur > 0:
                kind = "reactivation" if account_id in had_mrr else "new"
                totals[kind] += cur
            elif 0 < prev < cur:
                totals["expansion"] += cur - prev
            elif 0 < cur < prev:
                totals["contraction"] += prev - cur
            elif prev > 0 and cur == 0:
                totals["churned"] += prev
        movements.append(
            {
                "revenue_month": month,
                "starting_mrr": totals["starting"],
                "new_mrr": totals["new"],
                "expansion_mrr": totals["expansion"],
                "contraction_mrr": totals["contraction"],
                "churned_mrr": totals["churned"],
                "reactivation_mrr": totals["reactivation"],
                "ending_mrr": totals["ending"],
            }
        )
        retention.append(
            {
                "revenue_month": month,
                "starting_mrr": totals["starting"],
                "nrr_pct": rate_pct(totals["retained"], totals["starting"]),
                "grr_pct": rate_pct(
                    totals["starting"] - totals["contraction"] - totals["churned"],
                    totals["starting"],
                ),
            }
        )
        arpa_rows.append(
            {
                "revenue_month": month,
                "ending_mrr": totals["ending"],
                "paying_accounts": paying,
                "arpa": totals["ending"] / paying if paying else None,
            }
        )
    return {
        "fct_mrr_movements": movements,
        "fct_net_revenue_retention": retention,
        "fct_arpa": arpa_rows,
    }


# ===========================================================================
# Entry point
# ===========================================================================


def compute_kpis(
    data_dir_or_tables: str | os.PathLike | Mapping[str, Iterable[Mapping[str, Any]]],
    settings: Mapping[str, Any] | None = None,
) -> dict[str, list[Row]]:
    """Rows of every mart of the contract, keyed by mart name.

    ``data_dir_or_tables`` is a data set folder (read with ``load_dataset``) or a dict of
    rows per table; raw text values in such a dict are typed the same way as file values,
    exact duplicates are dropped, and absent tables are empty.
    """
    if isinstance(data_dir_or_tables, Mapping):
        tables = normalise_tables(data_dir_or_tables)
    else:
        tables = load_dataset(data_dir_or_tables)
    ctx = Context(tables, settings)
    marts = {
        "fct_self_serve_upgrade_rate": self_serve_upgrade_rate(ctx),
        "fct_upgrade_intent_signal_rate": upgrade_intent_signal_rate(ctx),
        "fct_self_serve_upsell_revenue": self_serve_upsell_revenue(ctx),
        "fct_plan_upgrade_rate": plan_upgrade_rate(ctx),
        "fct_self_serve_expansion_revenue": self_serve_expansion_revenue(ctx),
    }
    marts.update(revenue_tree(ctx))
    return marts


# ===========================================================================
# Comparing marts
# ===========================================================================


def _as_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime at midnight, or ISO text; None if it is not one."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            return None
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return _as_date(dt.datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


def _as_number(value: Any) -> Decimal | None:
    """A number as Decimal from int, float, Decimal or numeric text; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return None if math.isnan(value) else Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _values_match(expected: Any, actual: Any, tolerance: float) -> bool:
    """True when one mart cell equals the expected value (numbers within ``tolerance``)."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(actual, float) and math.isnan(actual):
        return False
    if isinstance(expected, dt.date):
        return _as_date(actual) == (
            expected.date() if isinstance(expected, dt.datetime) else expected
        )
    expected_number = _as_number(expected) if not isinstance(expected, str) else None
    if expected_number is not None:
        actual_number = _as_number(actual)
        return actual_number is not None and abs(actual_number - expected_number) <= Decimal(
            repr(float(tolerance))
        )
    return str(expected) == str(actual)


def _normalise_key_value(value: Any, as_date: bool) -> Any:
    """A key value in a comparable form: dates as dates, numbers as Decimal, else text."""
    if value is None:
        return None
    if as_date:
        day = _as_date(value)
        return day if day is not None else str(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return _as_number(value)
    return str(value)


def _index_rows(
    rows: list[Row],
    key_columns: list[str],
    date_columns: set[str],
    label: str,
    problems: list[str],
) -> dict:
    """Rows by their normalised key; duplicates and missing key columns are reported."""
    index: dict[tuple, Row] = {}
    for row in rows:
        missing = [column for column in key_columns if column not in row]
        if missing:
            problems.append(f"{label} row lacks key column(s) {missing}: {row}")
            continue
        key = tuple(
            _normalise_key_value(row[column], column in date_columns) for column in key_columns
        )
        if key in index:
            problems.append(f"{label} rows have a duplicate key {_format_key(key_columns, key)}")
        index[key] = row
    return index


def _format_key(key_columns: list[str], key: tuple) -> str:
    """Readable ``column=value`` text for a key."""
    return ", ".join(f"{column}={value}" for column, value in zip(key_columns, key))


def compare_marts(
    expected_rows: list[Row],
    actual_rows: list[Row],
    key_columns: list[str],
    tolerance: float = 0.01,
) -> list[str]:
    """Human-readable differences between expected and actual rows of one mart.

    Rows are matched on ``key_columns``. Every column of an expected row is checked in the
    actual row (actual rows may have more columns). Numbers compare within an absolute
    ``tolerance``; None only equals None; dates compare as dates, and actual dates may be
    ``date``, ``datetime`` at midnight or ISO text. An empty list means the marts agree.
    """
    problems: list[str] = []
    date_columns = {
        column
        for column in key_columns
        if any(isinstance(row.get(column), dt.date) for row in expected_rows)
    }
    expected_index = _index_rows(expected_rows, key_columns, date_columns, "expected", problems)
    actual_index = _index_rows(actual_rows, key_columns, date_columns, "actual", problems)
    for key in sorted(expected_index, key=lambda k: tuple(_sort_value(v) for v in k)):
        label = _format_key(key_columns, key)
        if key not in actual_index:
            problems.append(f"missing row: {label}")
            continue
        expected, actual = expected_index[key], actual_index[key]
        for column, expected_value in expected.items():
            if column in key_columns:
                continue
            if column not in actual:
                problems.append(f"row {label}: column {column} is missing")
            elif not _values_match(expected_value, actual[column], tolerance):
                problems.append(
                    f"row {label}: {column} expected {expected_value!r}, got {actual[column]!r}"
                )
    for key in actual_index:
        if key not in expected_index:
            problems.append(f"extra row: {_format_key(key_columns, key)}")
    return problems
