"""The KPI marts the CLI reads, and reading them from a built DuckDB database or a warehouse.

Reading is all the CLI does with the marts: every number was computed by the dbt project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Kpi:
    """A KPI as the report shows it: its mart, the column holding its period, its key."""

    name: str
    mart: str
    title: str
    period_column: str
    key_columns: tuple[str, ...]
    columns: tuple[str, ...]
    definition: str
    # The column whose trend the terminal report draws as a sparkline (summed per period when
    # a period has several rows, e.g. one per upsell type); None for no sparkline.
    trend_column: str | None = None


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "upgrade_rate", "fct_self_serve_upgrade_rate", "Self-serve upgrade rate", "activation_month",
        ("activation_month",),
        ("activation_month", "activated_users", "upgraded_users", "upgrade_rate_pct", "open_window_users"),
        "Of the users who activated in a month while on a free plan, the share who upgraded to a paid "
        "plan themselves, self-serve and with no sales touch, within the activation window.",
        trend_column="upgrade_rate_pct",
    ),
    Kpi(
        "intent_signal_rate", "fct_upgrade_intent_signal_rate", "Upgrade-intent signal rate", "activity_month",
        ("activity_month",),
        ("activity_month", "active_free_users", "signaled_users", "signal_rate_pct"),
        "Of the users active on a free plan in a month, the share who hit an upgrade-intent event "
        "(pricing page, paywall, usage limit, upgrade call to action).",
        trend_column="signal_rate_pct",
    ),
    Kpi(
        "upsell_revenue", "fct_self_serve_upsell_revenue", "Self-serve upsell revenue", "revenue_month",
        ("revenue_month", "upsell_type"),
        ("revenue_month", "upsell_type", "upsell_revenue"),
        "In-product upsell purchases less refunds, excluding team (seat) expansions and anything "
        "sales-touched, by month and upsell type.",
        trend_column="upsell_revenue",
    ),
    Kpi(
        "plan_upgrade_rate", "fct_plan_upgrade_rate", "Plan upgrade rate", "period_start",
        ("period_grain", "period_start", "from_plan_id"),
        ("period_grain", "period_start", "from_plan_id", "subscribers_at_start", "upgraded_subscribers", "upgrade_rate_pct"),
        "Of the accounts on a paid plan at a period's start, the share that moved to a higher paid "
        "tier during the period, by originating plan, per month and per quarter.",
    ),
    Kpi(
        "expansion_revenue", "fct_self_serve_expansion_revenue", "Self-serve expansion revenue", "revenue_month",
        ("revenue_month", "expansion_type"),
        ("revenue_month", "expansion_type", "expansion_revenue"),
        "The MRR increase of self-serve, not sales-touched changes from a paid plan, by month and type "
        "(tier upgrade, seat expansion, other).",
        trend_column="expansion_revenue",
    ),
    Kpi(
        "mrr_movements", "fct_mrr_movements", "MRR movements", "revenue_month",
        ("revenue_month",),
        ("revenue_month", "starting_mrr", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
         "reactivation_mrr", "ending_mrr"),
        "The MRR bridge: ending = starting + new + reactivation + expansion - contraction - churned, "
        "from month-end snapshots.",
        trend_column="ending_mrr",
    ),
    Kpi(
        "net_revenue_retention", "fct_net_revenue_retention", "Net and gross revenue retention", "revenue_month",
        ("revenue_month",),
        ("revenue_month", "starting_mrr", "nrr_pct", "grr_pct"),
        "Of the MRR at the previous month's end, the share the same accounts pay at this month's end "
        "(NRR, expansion included; GRR, capped at their starting MRR).",
        trend_column="nrr_pct",
    ),
    Kpi(
        "arpa", "fct_arpa", "Average revenue per paying account", "revenue_month",
        ("revenue_month",),
        ("revenue_month", "ending_mrr", "paying_accounts", "arpa"),
        "Ending MRR over the accounts with MRR above zero at the month's end.",
        trend_column="arpa",
    ),
)

KPI_NAMES = tuple(kpi.name for kpi in KPIS)


def find_kpi(name: str) -> Kpi:
    """A KPI by its short name or its mart's name."""
    for kpi in KPIS:
        if name in (kpi.name, kpi.mart):
            return kpi
    raise KeyError(name)


def month_bound(value: str | None) -> dt.date | None:
    """'YYYY-MM' as the first day of that month."""
    if value is None:
        return None
    year, month = value.split("-")
    return dt.date(int(year), int(month), 1)


class MartReader:
    """Reads marts from a DuckDB file opened read-only (a build may not hold it at the time)."""

    def __init__(self, db_path: Path):
        import duckdb

        self.db_path = db_path
        self.label = str(db_path)
        self.connection = duckdb.connect(str(db_path), read_only=True)
        self.connection.execute("set TimeZone = 'UTC'")
        self.schema = self._mart_schema()

    def _mart_schema(self) -> str:
        rows = self.connection.execute(
            "select table_schema from information_schema.tables where table_name = 'fct_self_serve_upgrade_rate' "
            "order by table_schema"
        ).fetchall()
        if not rows:
            raise LookupError(f"{self.db_path} holds no KPI marts: run `plg build` first")
        return rows[0][0]

    def has_table(self, table: str) -> bool:
        rows = self.connection.execute(
            "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
            [self.schema, table],
        ).fetchall()
        return bool(rows)

    def rows(self, kpi: Kpi, month_from: dt.date | None = None, month_to: dt.date | None = None) -> list[dict[str, Any]]:
        """The mart's rows in key order, restricted to periods starting in [month_from, month_to]."""
        conditions, parameters = [], []
        if month_from is not None:
            conditions.append(f'"{kpi.period_column}" >= ?')
            parameters.append(month_from)
        if month_to is not None:
            conditions.append(f'"{kpi.period_column}" <= ?')
            parameters.append(month_to)
        where = f" where {' and '.join(conditions)}" if conditions else ""
        order = ", ".join(f'"{column}"' for column in kpi.key_columns)
        cursor = self.connection.execute(f'select * from "{self.schema}"."{kpi.mart}"{where} order by {order}', parameters)
        names = [description[0] for description in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def query(self, sql: str, parameters: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        """Column names and rows of a query with `?` parameters."""
        cursor = self.connection.execute(sql, parameters or [])
        return [description[0] for description in cursor.description], cursor.fetchall()

    def table_name(self, table: str) -> str:
        return f'"{self.schema}"."{table}"'

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "MartReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WarehouseMartReader:
    """Reads marts from a warehouse target of profiles.yml (postgres, spark), through the dbt
    adapter's own connection, from the target's schema (where the models are built)."""

    def __init__(self, target: str):
        from plg import loaders

        self.target = target
        self.credentials = loaders.target_credentials(target)
        self.schema = self.credentials.schema
        self.label = loaders.describe(self.credentials)
        self.quote = "`" if self.credentials.type in ("spark", "databricks", "bigquery") else '"'
        self.connection = loaders.open_connection(self.credentials)
        if hasattr(self.connection, "autocommit"):
            self.connection.autocommit = True  # reads only: no transaction to keep open
        if not self.has_table("fct_self_serve_upgrade_rate"):
            self.close()
            raise LookupError(f"{self.label} holds no KPI marts: run `plg build --target {target}` first")

    def table_name(self, table: str) -> str:
        return f"{self.quote}{self.schema}{self.quote}.{self.quote}{table}{self.quote}"

    def query(self, sql: str, parameters: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        """Column names and rows of a query with `?` parameters (dates and numbers, written into
        the SQL as literals: drivers differ in their parameter styles)."""
        pieces = sql.split("?")
        if len(pieces) - 1 != len(parameters or []):
            raise ValueError("one parameter per '?' is required")
        text = pieces[0] + "".join(_literal(value) + piece for value, piece in zip(parameters or [], pieces[1:]))
        try:
            return self._execute(text)
        except Exception as error:
            raise self._error(error) from error

    def _execute(self, sql: str) -> tuple[list[str], list[tuple]]:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        rows = [tuple(row) for row in cursor.fetchall()]
        names = [description[0] for description in cursor.description]
        return names, rows

    def _error(self, error: Exception) -> Exception:
        from plg.loaders import TargetError, explain_spark_error, first_line

        if self.credentials.type == "spark":
            return TargetError(explain_spark_error(error))
        return TargetError(f"cannot read {self.label}: {first_line(str(error))}")

    def has_table(self, table: str) -> bool:
        try:
            self._execute(f"select * from {self.table_name(table)} where 1 = 0")
            return True
        except Exception as error:
            if not any(sign in str(error) for sign in ("does not exist", "NOT_FOUND", "not found")):
                raise self._error(error) from error
            return False

    def rows(self, kpi: Kpi, month_from: dt.date | None = None, month_to: dt.date | None = None) -> list[dict[str, Any]]:
        """The mart's rows in key order, restricted to periods starting in [month_from, month_to]."""
        conditions, parameters = [], []
        if month_from is not None:
            conditions.append(f"{kpi.period_column} >= ?")
            parameters.append(month_from)
        if month_to is not None:
            conditions.append(f"{kpi.period_column} <= ?")
            parameters.append(month_to)
        where = f" where {' and '.join(conditions)}" if conditions else ""
        order = ", ".join(kpi.key_columns)
        names, rows = self.query(f"select * from {self.table_name(kpi.mart)}{where} order by {order}", parameters)
        return [dict(zip(names, row)) for row in rows]

    def close(self) -> None:
        from plg.loaders import close_handle

        close_handle(self.connection)

    def __enter__(self) -> "WarehouseMartReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _literal(value: Any) -> str:
    """A query parameter (a date or a number) as a SQL literal every engine reads the same way."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"cast('{value.isoformat()}' as date)"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    raise TypeError(f"unsupported query parameter {value!r}")
