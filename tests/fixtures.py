"""Small data set builders for the tests.

Every builder writes a data set folder in the raw layout of the KPI contract: one CSV file
per table (all seven tables, header row, ISO 8601 UTC timestamps ending in 'Z'). The worked
example builders return the headline figures the marts must show.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from reference_kpis import TABLE_COLUMNS

# Plans shared by the builders: two non-paid plans and three paid tiers.
STANDARD_PLANS: list[dict[str, Any]] = [
    {"plan_id": "free", "plan_name": "Free", "tier_rank": 0, "is_paid": False, "monthly_price": "0"},
    {"plan_id": "trial", "plan_name": "Trial", "tier_rank": 0, "is_paid": False, "monthly_price": "0"},
    {"plan_id": "starter", "plan_name": "Starter", "tier_rank": 1, "is_paid": True, "monthly_price": "29.00"},
    {"plan_id": "pro", "plan_name": "Pro", "tier_rank": 2, "is_paid": True, "monthly_price": "79.00"},
    {"plan_id": "business", "plan_name": "Business", "tier_rank": 3, "is_paid": True, "monthly_price": "199.00"},
]

PLAN_PRICES = {plan["plan_id"]: Decimal(plan["monthly_price"]) for plan in STANDARD_PLANS}


def format_value(value: Any) -> str:
    """A value as CSV text: instants in ISO 8601 UTC with 'Z', booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
        return text + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_tables(out_dir: str | os.PathLike, tables: Mapping[str, list[Mapping[str, Any]]]) -> Path:
    """Write every contract table as ``<table>.csv`` in ``out_dir`` (columns in contract order).

    A table absent from ``tables`` is written as a header-only file; a column absent from a
    row is written empty. Text values (such as timestamps with offsets) are written as given.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for table, columns in TABLE_COLUMNS.items():
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in tables.get(table, []):
                writer.writerow([format_value(row.get(column)) for column in columns])
    return folder


def _account(account_id: str, created_at: dt.datetime, segment: str = "smb") -> dict[str, Any]:
    """One accounts row."""
    return {
        "account_id": account_id,
        "account_name": f"Account {account_id}",
        "created_at": created_at,
        "segment": segment,
        "country": "US",
    }


def _user(user_id: str, account_id: str, created_at: dt.datetime) -> dict[str, Any]:
    """One users row."""
    return {
        "user_id": user_id,
        "account_id": account_id,
        "created_at": created_at,
        "persona": "analyst",
        "acquisition_source": "organic",
    }


def _change(
    change_id: str,
    account_id: str,
    changed_at: dt.datetime,
    from_plan: str | None,
    to_plan: str,
    channel: str = "self_serve",
    user_id: str | None = None,
    seats: int = 1,
) -> dict[str, Any]:
    """One subscription_changes row whose MRR follows the plans' list prices."""
    return {
        "change_id": change_id,
        "account_id": account_id,
        "initiated_by_user_id": user_id,
        "changed_at": changed_at,
        "from_plan_id": from_plan,
        "to_plan_id": to_plan,
        "mrr_before": PLAN_PRICES[from_plan] * seats if from_plan else Decimal("0"),
        "mrr_after": PLAN_PRICES[to_plan] * seats,
        "seats_before": seats,
        "seats_after": seats,
        "channel": channel,
    }


def _event(event_id: str, user_id: str, account_id: str, name: str, at: dt.datetime) -> dict[str, Any]:
    """One product_events row."""
    return {
        "event_id": event_id,
        "user_id": user_id,
        "account_id": account_id,
        "event_name": name,
        "occurred_at": at,
    }


def worked_example_upgrade_rate(out_dir: str | os.PathLike) -> dict[str, Any]:
    """1,500 users activate in March 2025 on free accounts; 345 upgrade self-serve in the window.

    One account per user. Besides the 345 counted upgrades, 30 users upgrade self-serve
    after their 14-day window closes and 15 users upgrade through sales; neither counts.
    Expected: 23%.
    """
    created = dt.datetime(2025, 2, 1)
    accounts, users, events, changes = [], [], [], []
    for n in range(1500):
        account_id, user_id = f"acc_{n:04d}", f"usr_{n:04d}"
        accounts.append(_account(account_id, created))
        users.append(_user(user_id, account_id, created))
        activation = dt.datetime(2025, 3, 1, 8) + dt.timedelta(minutes=28 * n)  # spread over March
        name = "dashboard_built" if n % 2 == 0 else "report_shared"
        events.append(_event(f"evt_{n:04d}", user_id, account_id, name, activation))
        if n < 345:
            upgrade_at = activation + dt.timedelta(days=n % 15)  # day 0 .. day 14, inside
        elif n < 375:
            upgrade_at = activation + dt.timedelta(days=20)  # after the window
        elif n < 390:
            changes.append(
                _change(f"chg_{n:04d}", account_id, activation + dt.timedelta(days=3),
                        "free", "starter", channel="sales_assisted", user_id=user_id)
            )
            continue
        else:
            continue
        changes.append(
            _change(f"chg_{n:04d}", account_id, upgrade_at, "free", "starter", user_id=user_id)
        )
    write_tables(
        out_dir,
        {
            "accounts": accounts,
            "users": users,
            "plans": STANDARD_PLANS,
            "product_events": events,
            "subscription_changes": changes,
        },
    )
    return {
        "activation_month": dt.date(2025, 3, 1),
        "activated_users": 1500,
        "upgraded_users": 345,
        "upgrade_rate_pct": 23.0,
    }


def worked_example_intent(out_dir: str | os.PathLike) -> dict[str, Any]:
    """3,200 active trial (non-paid) users in April 2025; 880 of them trigger an intent event.

    Users sit four to an account on accounts that never subscribed. The 880 signalling users
    have one intent event each; the others one ordinary event. Ten users of a paying account
    are also active (and two of them view pricing) but are not counted. Expected: 27.5%.
    """
    created = dt.datetime(2025, 3, 1)
    intent_names = ["pricing_page_viewed", "paywall_hit", "usage_limit_warning", "upgrade_cta_clicked"]
    accounts, users, events = [], [], []
    for a in range(800):
        accounts.append(_account(f"acc_{a:03d}", created))
    for n in range(3200):
        user_id, account_id = f"usr_{n:04d}", f"acc_{n // 4:03d}"
        users.append(_user(user_id, account_id, created))
        at = dt.datetime(2025, 4, 1) + dt.timedelta(minutes=13 * n)  # spread over April
        name = intent_names[n % 4] if n % 40 < 11 else "dashboard_viewed"  # 11 in 40 = 27.5%
        events.append(_event(f"evt_{n:04d}", user_id, account_id, name, at))
    accounts.append(_account("acc_paid", created, segment="mid_market"))
    changes = [_change("chg_paid", "acc_paid", dt.datetime(2025, 3, 10), "free", "pro", seats=10)]
    for n in range(10):
        user_id = f"usr_paid_{n}"
        users.append(_user(user_id, "acc_paid", created))
        name = "pricing_page_viewed" if n < 2 else "dashboard_viewed"
        events.append(_event(f"evt_paid_{n}", user_id, "acc_paid", name, dt.datetime(2025, 4, 15, 9)))
    write_tables(
        out_dir,
        {
            "accounts": accounts,
            "users": users,
            "plans": STANDARD_PLANS,
            "product_events": events,
            "subscription_changes": changes,
        },
    )
    return {
        "activity_month": dt.date(2025, 4, 1),
        "active_free_users": 3200,
        "signaled_users": 880,
        "signal_rate_pct": 27.5,
    }


def worked_example_plan_upgrade(out_dir: str | os.PathLike) -> dict[str, Any]:
    """3,000 paid subscribers at the start of Q2 2025; 120 move to a higher paid tier in it.

    2,000 accounts start the quarter on starter (90 upgrade: 4.5%) and 1,000 on pro (30
    upgrade: 3%), 120 / 3,000 = 4% in aggregate. Ten starter upgraders climb twice (starter to
    pro to business) and still count once; 40 pro accounts downgrade to starter, which is not
    an upgrade. All subscriptions begin in Q1 2025.
    """
    accounts, changes = [], []
    q1 = dt.datetime(2025, 1, 2)
    q2 = dt.datetime(2025, 4, 1)
    for n in range(3000):
        account_id = f"acc_{n:04d}"
        plan = "starter" if n < 2000 else "pro"
        subscribed = q1 + dt.timedelta(minutes=41 * n)  # spread over Q1
        accounts.append(_account(account_id, subscribed - dt.timedelta(days=1)))
        changes.append(_change(f"chg_{n:04d}_a", account_id, subscribed, "free", plan))
        inside = q2 + dt.timedelta(hours=n % 2000)  # within April to mid-June
        if n < 90:
            changes.append(_change(f"chg_{n:04d}_b", account_id, inside, "starter", "pro",
                                   channel="self_serve" if n % 3 else "sales_assisted"))
            if n < 10:
                changes.append(_change(f"chg_{n:04d}_c", account_id, inside + dt.timedelta(days=7),
                                       "pro", "business"))
        elif 2000 <= n < 2030:
            changes.append(_change(f"chg_{n:04d}_b", account_id, inside, "pro", "business",
                                   channel="cs_led" if n % 2 else "self_serve"))
        elif 2100 <= n < 2140:
            changes.append(_change(f"chg_{n:04d}_b", account_id, inside, "pro", "starter"))
    write_tables(
        out_dir,
        {"accounts": accounts, "plans": STANDARD_PLANS, "subscription_changes": changes},
    )
    return {
        "period_grain": "quarter",
        "period_start": dt.date(2025, 4, 1),
        "subscribers_at_start": 3000,
        "upgraded_subscribers": 120,
        "upgrade_rate_pct": 4.0,
        "by_from_plan": {
            "starter": {"subscribers_at_start": 2000, "upgraded_subscribers": 90, "upgrade_rate_pct": 4.5},
            "pro": {"subscribers_at_start": 1000, "upgraded_subscribers": 30, "upgrade_rate_pct": 3.0},
        },
    }


def zero_denominator_dataset(out_dir: str | os.PathLike) -> dict[str, Any]:
    """A data set in which every denominator of the contract is zero in some month.

    - January 2025: the only activation and all events happen on a paying account, so
      ``activated_users`` and ``active_free_users`` are 0; starting MRR is 0 (first month).
    - February: the account churns to free.
    - March: starting and ending MRR are 0 and nobody pays (NRR, GRR and ARPA are NULL).
    - April: the account comes back (reactivation).

    Returns, per mart, the months whose rate must be NULL.
    """
    created = dt.datetime(2024, 12, 1)
    tables = {
        "accounts": [_account("acc_1", created)],
        "users": [_user("usr_1", "acc_1", created)],
        "plans": STANDARD_PLANS,
        "subscription_changes": [
            _change("chg_1", "acc_1", dt.datetime(2025, 1, 5, 10), "free", "pro", user_id="usr_1"),
            _change("chg_2", "acc_1", dt.datetime(2025, 2, 3, 10), "pro", "free", user_id="usr_1"),
            _change("chg_3", "acc_1", dt.datetime(2025, 4, 2, 10), "free", "pro", user_id="usr_1"),
        ],
        "product_events": [
            _event("evt_1", "usr_1", "acc_1", "dashboard_built", dt.datetime(2025, 1, 10, 9)),
            _event("evt_2", "usr_1", "acc_1", "pricing_page_viewed", dt.datetime(2025, 1, 11, 9)),
        ],
    }
    write_tables(out_dir, tables)
    january, march = dt.date(2025, 1, 1), dt.date(2025, 3, 1)
    return {
        "fct_self_serve_upgrade_rate": {"upgrade_rate_pct": [january]},
        "fct_upgrade_intent_signal_rate": {"signal_rate_pct": [january]},
        "fct_net_revenue_retention": {"nrr_pct": [january, march], "grr_pct": [january, march]},
        "fct_arpa": {"arpa": [march]},
    }
