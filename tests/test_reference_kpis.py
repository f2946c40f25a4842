"""Tests of the reference KPI implementation on tiny hand-made tables.

Each test pins one rule or boundary of the KPI contract (and the readings in
DECISIONLOG.md), so that the reference the end-to-end tests rely on is itself checked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

import fixtures
from reference_kpis import (
    DEFAULT_SETTINGS,
    MART_KEYS,
    compare_marts,
    compute_kpis,
    load_dataset,
)

PLANS = fixtures.STANDARD_PLANS
MARCH = dt.date(2025, 3, 1)
APRIL = dt.date(2025, 4, 1)


def utc(text: str) -> dt.datetime:
    """A naive UTC datetime from ISO text (helper for expectations)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def z(moment: dt.datetime) -> str:
    """ISO 8601 text with 'Z' for a naive UTC datetime."""
    return fixtures.format_value(moment)


def change(change_id, account_id, changed_at, from_plan, to_plan, *, mrr_before="0",
           mrr_after="0", channel="self_serve", user_id=None, seats_before=1, seats_after=1):
    """A subscription_changes row with text values, as a loader would see them."""
    return {
        "change_id": change_id,
        "account_id": account_id,
        "initiated_by_user_id": user_id,
        "changed_at": changed_at if isinstance(changed_at, str) else z(changed_at),
        "from_plan_id": from_plan,
        "to_plan_id": to_plan,
        "mrr_before": mrr_before,
        "mrr_after": mrr_after,
        "seats_before": seats_before,
        "seats_after": seats_after,
        "channel": channel,
    }


def event(event_id, user_id, account_id, name, occurred_at):
    """A product_events row."""
    return {
        "event_id": event_id,
        "user_id": user_id,
        "account_id": account_id,
        "event_name": name,
        "occurred_at": occurred_at if isinstance(occurred_at, str) else z(occurred_at),
    }


def touch(touch_id, account_id, touched_at):
    """A sales_touches row."""
    return {"touch_id": touch_id, "account_id": account_id, "touched_at": z(touched_at),
            "touch_type": "call", "team": "sales"}


def purchase(purchase_id, account_id, purchased_at, upsell_type, amount, channel="in_product"):
    """An upsell_purchases row."""
    return {"purchase_id": purchase_id, "account_id": account_id, "user_id": "u1",
            "purchased_at": purchased_at if isinstance(purchased_at, str) else z(purchased_at),
            "upsell_type": upsell_type, "amount": amount, "channel": channel}


def only_row(rows, **keys):
    """The single row whose columns equal ``keys``."""
    matches = [row for row in rows if all(row[k] == v for k, v in keys.items())]
    assert len(matches) == 1, f"expected one row for {keys}, found {len(matches)}: {rows}"
    return matches[0]


def by_month(rows, column="revenue_month"):
    """Rows keyed by their month column."""
    return {row[column]: row for row in rows}


# ---------------------------------------------------------------------------
# fct_self_serve_upgrade_rate
# ---------------------------------------------------------------------------

ACTIVATION = dt.datetime(2025, 3, 10, 12, 0, 0)


def upgrade_rate_tables(upgrade_at=None, touches=(), upgrade_account="acc_1", **change_args):
    """One free account, one user activating at ACTIVATION, and optionally one upgrade."""
    changes = []
    if upgrade_at is not None:
        changes.append(change("c1", upgrade_account, upgrade_at, "free", "pro",
                              mrr_after="79", user_id="u1", **change_args))
    return {
        "accounts": [{"account_id": "acc_1"}, {"account_id": "acc_2"}],
        "users": [{"user_id": "u1", "account_id": "acc_1"}],
        "plans": PLANS,
        "product_events": [
            event("e0", "u1", "acc_1", "dashboard_viewed", ACTIVATION - dt.timedelta(days=1)),
            event("e1", "u1", "acc_1", "dashboard_built", ACTIVATION),
            event("e2", "u1", "acc_1", "report_shared", ACTIVATION + dt.timedelta(days=2)),
        ],
        "subscription_changes": changes,
        "sales_touches": list(touches),
    }


def upgrade_rate_row(tables):
    """The single fct_self_serve_upgrade_rate row."""
    rows = compute_kpis(tables)["fct_self_serve_upgrade_rate"]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    "offset, upgraded",
    [
        (dt.timedelta(0), 1),  # a change at exactly the activation instant: window opening
        (dt.timedelta(days=14), 1),  # window closing instant
        (dt.timedelta(days=14, seconds=1), 0),  # one second after the window
        (dt.timedelta(days=3, hours=5), 1),
    ],
)
def test_activation_window_is_closed_at_both_ends(offset, upgraded):
    row = upgrade_rate_row(upgrade_rate_tables(ACTIVATION + offset))
    assert row == {
        "activation_month": MARCH,
        "activated_users": 1,  # the change at the activation instant is not yet in force
        "upgraded_users": upgraded,
        "upgrade_rate_pct": 100.0 * upgraded,
    }


def test_upgrade_before_activation_does_not_count():
    # The user upgrades another account one second before activating; their own stays free.
    tables = upgrade_rate_tables(ACTIVATION - dt.timedelta(seconds=1), upgrade_account="acc_2")
    row = upgrade_rate_row(tables)
    assert (row["activated_users"], row["upgraded_users"]) == (1, 0)


def test_upgrade_in_another_account_counts():
    row = upgrade_rate_row(upgrade_rate_tables(ACTIVATION + dt.timedelta(days=1),
                                               upgrade_account="acc_2"))
    assert (row["activated_users"], row["upgraded_users"]) == (1, 1)


def test_activation_on_paid_plan_is_not_counted_but_month_stays():
    tables = upgrade_rate_tables()
    tables["subscription_changes"] = [
        change("c0", "acc_1", ACTIVATION - dt.timedelta(seconds=1), "free", "pro", mrr_after="79")
    ]
    row = upgrade_rate_row(tables)
    assert row == {"activation_month": MARCH, "activated_users": 0, "upgraded_users": 0,
                   "upgrade_rate_pct": None}


@pytest.mark.parametrize(
    "channel, from_plan, to_plan, user_id, upgraded",
    [
        ("self_serve", "free", "pro", "u1", 1),
        ("self_serve", None, "pro", "u1", 1),  # missing from_plan_id counts as non-paid
        ("self_serve", "trial", "starter", "u1", 1),
        ("sales_assisted", "free", "pro", "u1", 0),
        ("Self_Serve", "free", "pro", "u1", 0),  # channels compare exactly
        ("self_serve", "free", "trial", "u1", 0),  # to a non-paid plan
        ("self_serve", "free", "pro", "u2", 0),  # initiated by someone else
        ("self_serve", "free", "pro", None, 0),  # initiated by staff / billing
    ],
)
def test_what_counts_as_a_self_serve_upgrade(channel, from_plan, to_plan, user_id, upgraded):
    tables = upgrade_rate_tables()
    tables["subscription_changes"] = [
        change("c1", "acc_1", ACTIVATION + dt.timedelta(days=1), from_plan, to_plan,
               mrr_after="79", channel=channel, user_id=user_id)
    ]
    assert upgrade_rate_row(tables)["upgraded_users"] == upgraded


@pytest.mark.parametrize(
    "touch_offset, upgraded",
    [
        (-dt.timedelta(days=30), 0),  # exactly 30 days before: touched
        (-dt.timedelta(days=30, seconds=1), 1),  # 30 days + 1 second before: not touched
        (dt.timedelta(0), 0),  # at the very same instant: touched
        (dt.timedelta(seconds=1), 1),  # after the instant: does not count
    ],
)
def test_sales_touch_look_back_boundaries(touch_offset, upgraded):
    upgrade_at = ACTIVATION + dt.timedelta(days=2)
    tables = upgrade_rate_tables(upgrade_at, touches=[touch("t1", "acc_1", upgrade_at + touch_offset)])
    assert upgrade_rate_row(tables)["upgraded_users"] == upgraded


def test_sales_touch_on_another_account_does_not_count():
    upgrade_at = ACTIVATION + dt.timedelta(days=2)
    tables = upgrade_rate_tables(upgrade_at, touches=[touch("t1", "acc_2", upgrade_at)])
    assert upgrade_rate_row(tables)["upgraded_users"] == 1


def test_sales_touch_look_back_setting():
    upgrade_at = ACTIVATION + dt.timedelta(days=2)
    tables = upgrade_rate_tables(upgrade_at,
                                 touches=[touch("t1", "acc_1", upgrade_at - dt.timedelta(days=10))])
    rows = compute_kpis(tables, {"sales_touch_lookback_days": 7})["fct_self_serve_upgrade_rate"]
    assert rows[0]["upgraded_users"] == 1


def test_activation_is_first_activation_event_and_user_counts_once():
    tables = upgrade_rate_tables(ACTIVATION + dt.timedelta(days=14))
    # A second qualifying upgrade by the same user does not count twice.
    tables["subscription_changes"].append(
        change("c2", "acc_2", ACTIVATION + dt.timedelta(days=1), "free", "pro", user_id="u1")
    )
    row = upgrade_rate_row(tables)
    assert (row["activated_users"], row["upgraded_users"]) == (1, 1)


def test_activation_window_setting():
    tables = upgrade_rate_tables(ACTIVATION + dt.timedelta(days=10))
    rows = compute_kpis(tables, {"activation_window_days": 7})["fct_self_serve_upgrade_rate"]
    assert rows[0]["upgraded_users"] == 0


def test_user_missing_from_users_falls_back_to_event_account():
    tables = upgrade_rate_tables()
    tables["users"] = []
    tables["subscription_changes"] = [
        change("c0", "acc_1", ACTIVATION - dt.timedelta(days=1), "free", "pro", mrr_after="79")
    ]
    assert upgrade_rate_row(tables)["activated_users"] == 0  # acc_1 was paid at activation


def test_users_account_wins_over_event_account():
    tables = upgrade_rate_tables()
    tables["users"] = [{"user_id": "u1", "account_id": "acc_2"}]
    tables["subscription_changes"] = [
        change("c0", "acc_1", ACTIVATION - dt.timedelta(days=1), "free", "pro", mrr_after="79")
    ]
    assert upgrade_rate_row(tables)["activated_users"] == 1  # acc_2 was free


# ---------------------------------------------------------------------------
# fct_upgrade_intent_signal_rate
# ---------------------------------------------------------------------------


def test_intent_rate_counts_distinct_free_users_per_month():
    tables = {
        "plans": PLANS,
        "product_events": [
            event("e1", "u1", "a1", "dashboard_viewed", "2025-03-02T10:00:00Z"),
            event("e2", "u1", "a1", "pricing_page_viewed", "2025-03-03T10:00:00Z"),
            event("e3", "u1", "a1", "paywall_hit", "2025-03-04T10:00:00Z"),
            event("e4", "u2", "a1", "dashboard_viewed", "2025-03-05T10:00:00Z"),
            event("e5", "u3", "a2", "paywall_hit", "2025-03-06T10:00:00Z"),  # a2 paid: ignored
            event("e6", "u3", "a2", "paywall_hit", "2025-03-01T09:00:00Z"),  # a2 free then
            event("e7", "u4", "a1", "upgrade_cta_clicked", "2025-04-01T00:00:00Z"),
        ],
        "subscription_changes": [
            change("c1", "a2", "2025-03-01T09:00:00Z", "free", "pro", mrr_after="79"),
        ],
    }
    rows = by_month(compute_kpis(tables)["fct_upgrade_intent_signal_rate"], "activity_month")
    # e6 is at exactly the change instant: the change is not yet in force, a2 is still free.
    assert rows[MARCH] == {"activity_month": MARCH, "active_free_users": 3,
                           "signaled_users": 2, "signal_rate_pct": 100.0 * 2 / 3}
    assert rows[APRIL]["active_free_users"] == 1 and rows[APRIL]["signal_rate_pct"] == 100.0


def test_intent_month_with_only_paid_events_has_null_rate():
    tables = {
        "plans": PLANS,
        "product_events": [event("e1", "u1", "a1", "paywall_hit", "2025-03-02T10:00:00Z")],
        "subscription_changes": [change("c1", "a1", "2025-02-01T00:00:00Z", None, "pro")],
    }
    rows = compute_kpis(tables)["fct_upgrade_intent_signal_rate"]
    assert rows == [{"activity_month": MARCH, "active_free_users": 0, "signaled_users": 0,
                     "signal_rate_pct": None}]


# ---------------------------------------------------------------------------
# UTC offsets and input hygiene
# ---------------------------------------------------------------------------


def test_offsets_are_converted_to_utc_never_truncated():
    tables = {
        "plans": PLANS,
        "product_events": [
            # 2025-04-01T07:30Z: April
            event("e1", "u1", "a1", "paywall_hit", "2025-03-31T23:30:00-08:00"),
            # 2025-03-31T23:30Z: March
            event("e2", "u2", "a1", "paywall_hit", "2025-04-01T05:00:00+05:30"),
            # 2025-03-31T22:30:00.250Z: March, fractional seconds kept
            event("e3", "u3", "a1", "dashboard_viewed", "2025-04-01T00:30:00.250+02:00"),
        ],
    }
    rows = by_month(compute_kpis(tables)["fct_upgrade_intent_signal_rate"], "activity_month")
    assert rows[MARCH]["active_free_users"] == 2 and rows[MARCH]["signaled_users"] == 1
    assert rows[APRIL]["active_free_users"] == 1 and rows[APRIL]["signaled_users"] == 1


def test_offset_decides_whether_a_change_is_in_force():
    # The change is at 2025-03-10T10:00Z written as +02:00; the event at 10:00Z exactly.
    tables = {
        "plans": PLANS,
        "product_events": [event("e1", "u1", "a1", "paywall_hit", "2025-03-10T10:00:00Z"),
                           event("e2", "u2", "a1", "paywall_hit", "2025-03-10T10:00:01Z")],
        "subscription_changes": [change("c1", "a1", "2025-03-10T12:00:00+02:00", "free", "pro")],
    }
    row = compute_kpis(tables)["fct_upgrade_intent_signal_rate"][0]
    assert row["active_free_users"] == 1  # only e1, one second later a1 is paid


def test_load_dataset_types_values(tmp_path):
    fixtures.write_tables(tmp_path, {
        "plans": [{"plan_id": "p1", "plan_name": "Pro", "tier_rank": "2", "is_paid": "TRUE",
                   "monthly_price": "79.90"},
                  {"plan_id": "p0", "plan_name": "Free", "tier_rank": "0", "is_paid": "f",
                   "monthly_price": "0"}],
        "subscription_changes": [change("c1", "a1", "2025-03-01T11:30:00.5+02:00", "", "p1",
                                        mrr_after="79.90", user_id="", seats_before="",
                                        seats_after="3")],
    })
    tables = load_dataset(tmp_path)
    assert set(tables) == {"accounts", "users", "plans", "product_events",
                           "subscription_changes", "upsell_purchases", "sales_touches"}
    plans = {plan["plan_id"]: plan for plan in tables["plans"]}
    assert plans["p1"]["is_paid"] is True and plans["p0"]["is_paid"] is False
    assert plans["p1"]["tier_rank"] == 2 and plans["p1"]["monthly_price"] == Decimal("79.90")
    (row,) = tables["subscription_changes"]
    assert row["changed_at"] == dt.datetime(2025, 3, 1, 9, 30, 0, 500000)
    assert row["from_plan_id"] is None and row["initiated_by_user_id"] is None
    assert row["mrr_after"] == Decimal("79.90") and row["seats_before"] is None
    assert row["seats_after"] == 3


def test_exact_duplicates_count_once_across_files_and_offsets(tmp_path):
    fixtures.write_tables(tmp_path, {"plans": PLANS})
    (tmp_path / "upsell_purchases.csv").unlink()
    folder = tmp_path / "upsell_purchases"
    folder.mkdir()
    first = [purchase("p1", "a1", "2025-03-05T10:00:00Z", "feature_pack", "40.00"),
             purchase("p1", "a1", "2025-03-05T10:00:00Z", "feature_pack", "40.00")]
    # The same row again in a later file, its instant written with an offset.
    second = [purchase("p1", "a1", "2025-03-05T12:00:00+02:00", "feature_pack", "40.00"),
              purchase("p2", "a1", "2025-03-06T10:00:00Z", "feature_pack", "10.00")]
    for name, rows in (("part-1", first), ("part-2", second)):
        sub = tmp_path / name
        fixtures.write_tables(sub, {"upsell_purchases": rows})
        (sub / "upsell_purchases.csv").rename(folder / f"{name}.csv")
    rows = compute_kpis(tmp_path)["fct_self_serve_upsell_revenue"]
    assert rows == [{"revenue_month": MARCH, "upsell_type": "feature_pack",
                     "upsell_revenue": Decimal("50.00")}]


def test_parquet_tables_with_timestamp_types(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    fixtures.write_tables(tmp_path, {"plans": PLANS})
    (tmp_path / "product_events.csv").unlink()
    folder = tmp_path / "product_events"
    folder.mkdir()
    aware = pa.table({
        "event_id": ["e1", "e2"],
        "user_id": ["u1", "u2"],
        "account_id": ["a1", "a1"],
        "event_name": ["paywall_hit", "dashboard_viewed"],
        "occurred_at": pa.array([dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.timezone.utc),
                                 dt.datetime(2025, 4, 1, 0, 30, tzinfo=dt.timezone.utc)],
                                type=pa.timestamp("us", tz="UTC")),
    })
    pq.write_table(aware, folder / "part-1.parquet")
    naive = pa.table({
        "event_id": ["e1", "e3"],
        "user_id": ["u1", "u3"],
        "account_id": ["a1", "a1"],
        "event_name": ["paywall_hit", "pricing_page_viewed"],
        "occurred_at": pa.array([dt.datetime(2025, 3, 31, 23, 30),
                                 dt.datetime(2025, 4, 2, 8, 0)], type=pa.timestamp("ns")),
    })
    pq.write_table(naive, folder / "part-2.parquet")
    fixtures.write_tables(tmp_path / "csv", {"product_events": [
        event("e4", "u4", "a1", "dashboard_viewed", "2025-04-03T00:00:00Z")]})
    (tmp_path / "csv" / "product_events.csv").rename(folder / "part-3.csv")

    tables = load_dataset(tmp_path)
    assert len(tables["product_events"]) == 4  # e1 appears twice, identical after typing
    rows = by_month(compute_kpis(tmp_path)["fct_upgrade_intent_signal_rate"], "activity_month")
    assert rows[MARCH]["active_free_users"] == 1 and rows[MARCH]["signaled_users"] == 1
    assert rows[APRIL]["active_free_users"] == 3 and rows[APRIL]["signaled_users"] == 1


def test_missing_table_is_an_error(tmp_path):
    fixtures.write_tables(tmp_path, {})
    (tmp_path / "plans.csv").unlink()
    with pytest.raises(ValueError, match="plans"):
        load_dataset(tmp_path)


def test_unreadable_timestamp_is_an_error():
    tables = {"product_events": [event("e1", "u1", "a1", "paywall_hit", "yesterday")]}
    with pytest.raises(ValueError, match="occurred_at"):
        compute_kpis(tables)


# ---------------------------------------------------------------------------
# fct_self_serve_upsell_revenue
# ---------------------------------------------------------------------------


def test_upsell_revenue_filters_and_refunds():
    tables = {
        "plans": PLANS,
        "upsell_purchases": [
            purchase("p1", "a1", "2025-03-05T10:00:00Z", "feature_pack", "40.00"),
            purchase("p2", "a1", "2025-03-20T10:00:00Z", "feature_pack", "15.50"),
            purchase("p3", "a1", "2025-04-02T10:00:00Z", "feature_pack", "-40.00"),  # refund
            purchase("p4", "a1", "2025-03-07T10:00:00Z", "add_on", "-9.00"),  # refunds only
            purchase("p5", "a1", "2025-03-07T10:00:00Z", "seats", "100.00"),  # team expansion
            purchase("p6", "a1", "2025-03-07T10:00:00Z", "add_on", "20.00", channel="sales"),
            purchase("p7", "a2", "2025-03-07T10:00:00Z", "add_on", "30.00"),  # touched
            purchase("p8", "a2", "2025-03-07T10:00:00Z", "tier", "31.00"),  # touched
        ],
        "sales_touches": [touch("t1", "a2", dt.datetime(2025, 2, 5, 10))],  # 30 days before
    }
    rows = compute_kpis(tables)["fct_self_serve_upsell_revenue"]
    assert rows == [
        {"revenue_month": MARCH, "upsell_type": "add_on", "upsell_revenue": Decimal("-9.00")},
        {"revenue_month": MARCH, "upsell_type": "feature_pack", "upsell_revenue": Decimal("55.50")},
        {"revenue_month": APRIL, "upsell_type": "feature_pack", "upsell_revenue": Decimal("-40.00")},
    ]


def test_upsell_team_types_setting():
    tables = {"upsell_purchases": [
        purchase("p1", "a1", "2025-03-05T10:00:00Z", "seats", "40"),
        purchase("p2", "a1", "2025-03-05T10:00:00Z", "add_on", "10"),
    ]}
    rows = compute_kpis(tables, {"team_expansion_upsell_types": ["add_on"]})[
        "fct_self_serve_upsell_revenue"]
    assert [(r["upsell_type"], r["upsell_revenue"]) for r in rows] == [("seats", Decimal("40"))]


# ---------------------------------------------------------------------------
# fct_plan_upgrade_rate
# ---------------------------------------------------------------------------


def test_plan_upgrade_rate_periods_and_boundaries():
    tables = {
        "plans": PLANS,
        "subscription_changes": [
            change("a1", "A", "2025-01-15T00:00:00Z", "free", "starter"),
            change("a2", "A", "2025-02-10T00:00:00Z", "starter", "pro", channel="sales_assisted"),
            change("b1", "B", "2025-01-20T00:00:00Z", "free", "pro"),
            change("b2", "B", "2025-03-01T00:00:00Z", "pro", "business"),  # midnight: March
            change("c1", "C", "2025-02-01T00:00:00Z", "free", "starter"),  # not in force at Feb 1
            change("c2", "C", "2025-02-15T00:00:00Z", "starter", "starter"),  # same tier
            change("d1", "D", "2025-01-05T00:00:00Z", "free", "business"),
            change("d2", "D", "2025-02-05T00:00:00Z", "business", "pro"),  # downgrade
            change("d3", "D", "2025-04-01T00:00:00Z", "pro", "business"),  # next quarter, month
        ],
    }
    rows = compute_kpis(tables)["fct_plan_upgrade_rate"]
    got = {(r["period_grain"], r["period_start"], r["from_plan_id"]):
           (r["subscribers_at_start"], r["upgraded_subscribers"], r["upgrade_rate_pct"])
           for r in rows}
    jan, feb, mar, apr = (dt.date(2025, m, 1) for m in (1, 2, 3, 4))
    assert got == {
        # January starts before any change: no subscribers, no rows.
        ("month", feb, "starter"): (1, 1, 100.0),  # A (sales-assisted counts too)
        ("month", feb, "pro"): (1, 0, 0.0),  # B upgrades at exactly Mar 1: March
        ("month", feb, "business"): (1, 0, 0.0),  # D downgrades
        ("month", mar, "pro"): (3, 1, 100.0 / 3),  # A, B (upgrades), D
        ("month", mar, "starter"): (1, 0, 0.0),  # C
        ("month", apr, "pro"): (2, 1, 50.0),  # A, D (upgrade at exactly Apr 1)
        ("month", apr, "business"): (1, 0, 0.0),  # B
        ("month", apr, "starter"): (1, 0, 0.0),  # C
        ("quarter", apr, "pro"): (2, 1, 50.0),
        ("quarter", apr, "business"): (1, 0, 0.0),
        ("quarter", apr, "starter"): (1, 0, 0.0),
    }
    assert ("month", jan, "starter") not in got and ("quarter", jan, "starter") not in got
    assert rows == sorted(rows, key=lambda r: (r["period_grain"], r["period_start"],
                                               r["from_plan_id"]))


# ---------------------------------------------------------------------------
# fct_self_serve_expansion_revenue
# ---------------------------------------------------------------------------


def test_expansion_types_and_filters():
    tables = {
        "plans": PLANS,
        "subscription_changes": [
            change("c1", "A", "2025-03-02T00:00:00Z", "starter", "pro", mrr_before="29",
                   mrr_after="79"),
            change("c2", "B", "2025-03-03T00:00:00Z", "pro", "pro", mrr_before="79",
                   mrr_after="158", seats_before=1, seats_after=2),
            change("c3", "C", "2025-03-04T00:00:00Z", "pro", "pro", mrr_before="79",
                   mrr_after="89"),  # price change, same seats
            change("c4", "D", "2025-03-05T00:00:00Z", "free", "pro", mrr_before="0",
                   mrr_after="79"),  # from a non-paid plan
            change("c5", "E", "2025-03-06T00:00:00Z", "starter", "pro", mrr_before="29",
                   mrr_after="79", channel="cs_led"),
            change("c6", "F", "2025-03-07T00:00:00Z", "pro", "starter", mrr_before="79",
                   mrr_after="29"),  # contraction
            change("c7", "G", "2025-03-08T00:00:00Z", "starter", "pro", mrr_before="29",
                   mrr_after="79"),  # touched
            change("c8", "H", "2025-03-09T00:00:00Z", "pro", "starter", mrr_before="79",
                   mrr_after="87", seats_before=1, seats_after=3),  # lower tier, other plan
            change("c9", "A", "2025-04-01T00:00:00Z", "pro", "business", mrr_before="79",
                   mrr_after="199"),
        ],
        "sales_touches": [touch("t1", "G", dt.datetime(2025, 3, 8))],
    }
    rows = compute_kpis(tables)["fct_self_serve_expansion_revenue"]
    assert rows == [
        {"revenue_month": MARCH, "expansion_type": "other_expansion",
         "expansion_revenue": Decimal("18")},
        {"revenue_month": MARCH, "expansion_type": "seat_expansion",
         "expansion_revenue": Decimal("79")},
        {"revenue_month": MARCH, "expansion_type": "tier_upgrade",
         "expansion_revenue": Decimal("50")},
        {"revenue_month": APRIL, "expansion_type": "tier_upgrade",
         "expansion_revenue": Decimal("120")},
    ]


# ---------------------------------------------------------------------------
# The revenue metric tree
# ---------------------------------------------------------------------------


def revenue(changes):
    """The three revenue-tree marts for some changes, keyed by month."""
    marts = compute_kpis({"plans": PLANS, "subscription_changes": changes})
    return (by_month(marts["fct_mrr_movements"]), by_month(marts["fct_net_revenue_retention"]),
            by_month(marts["fct_arpa"]))


def movement(month, starting=0, new=0, expansion=0, contraction=0, churned=0, reactivation=0,
             ending=0):
    """An fct_mrr_movements row with Decimal money."""
    return {"revenue_month": month, "starting_mrr": Decimal(starting), "new_mrr": Decimal(new),
            "expansion_mrr": Decimal(expansion), "contraction_mrr": Decimal(contraction),
            "churned_mrr": Decimal(churned), "reactivation_mrr": Decimal(reactivation),
            "ending_mrr": Decimal(ending)}


def test_new_churn_and_reactivation():
    jan, feb, mar, apr = (dt.date(2025, m, 1) for m in (1, 2, 3, 4))
    moves, nrr, arpa = revenue([
        change("c1", "A", "2025-01-10T00:00:00Z", "free", "pro", mrr_after="79"),
        change("c2", "A", "2025-02-10T00:00:00Z", "pro", "free", mrr_before="79"),  # churn
        change("c3", "A", "2025-04-10T00:00:00Z", "free", "starter", mrr_after="29"),
        change("c4", "B", "2025-04-11T00:00:00Z", None, "starter", mrr_after="29"),
    ])
    assert moves[jan] == movement(jan, new=79, ending=79)
    assert moves[feb] == movement(feb, starting=79, churned=79)
    assert moves[mar] == movement(mar)  # dense spine: a month without changes
    assert moves[apr] == movement(apr, new=29, reactivation=29, ending=58)
    assert nrr[feb]["nrr_pct"] == 0.0 and nrr[feb]["grr_pct"] == 0.0
    assert nrr[jan]["nrr_pct"] is None and nrr[mar]["nrr_pct"] is None
    assert arpa[apr] == {"revenue_month": apr, "ending_mrr": Decimal(58), "paying_accounts": 2,
                         "arpa": Decimal(29)}
    assert arpa[mar]["arpa"] is None and arpa[mar]["paying_accounts"] == 0


def test_drop_to_zero_on_a_paid_plan_is_churn_and_non_paid_mrr_is_zero():
    jan, feb = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
    moves, _, _ = revenue([
        change("c1", "A", "2025-01-10T00:00:00Z", "free", "pro", mrr_after="79"),
        change("c2", "A", "2025-02-10T00:00:00Z", "pro", "pro", mrr_before="79", mrr_after="0"),
        change("c3", "B", "2025-01-10T00:00:00Z", "free", "pro", mrr_after="79"),
        change("c4", "B", "2025-02-10T00:00:00Z", "pro", "trial", mrr_before="79",
               mrr_after="10"),  # a non-paid plan: MRR 0 whatever mrr_after says
    ])
    assert moves[feb]["churned_mrr"] == Decimal(158) and moves[feb]["ending_mrr"] == 0
    assert moves[jan]["new_mrr"] == Decimal(158)


def test_expansion_contraction_nrr_grr():
    jan, feb = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
    moves, nrr, arpa = revenue([
        change("a1", "A", "2025-01-10T00:00:00Z", "free", "starter", mrr_after="100"),
        change("b1", "B", "2025-01-10T00:00:00Z", "free", "pro", mrr_after="200"),
        change("c1", "C", "2025-01-10T00:00:00Z", "free", "pro", mrr_after="100"),
        change("a2", "A", "2025-02-10T00:00:00Z", "starter", "pro", mrr_before="100",
               mrr_after="150"),
        change("b2", "B", "2025-02-10T00:00:00Z", "pro", "starter", mrr_before="200",
               mrr_after="120"),
        change("c2", "C", "2025-02-10T00:00:00Z", "pro", "free", mrr_before="100"),
        change("d1", "D", "2025-02-10T00:00:00Z", "free", "pro", mrr_after="60"),
    ])
    assert moves[feb] == movement(feb, starting=400, new=60, expansion=50, contraction=80,
                                  churned=100, ending=330)
    assert nrr[feb]["nrr_pct"] == pytest.approx(100.0 * 270 / 400)
    assert nrr[feb]["grr_pct"] == pytest.approx(100.0 * 220 / 400)
    assert arpa[feb]["paying_accounts"] == 3 and arpa[feb]["arpa"] == Decimal(110)
    assert moves[jan]["new_mrr"] == Decimal(400)


def test_change_at_midnight_on_the_first_belongs_to_the_new_month():
    feb, mar, apr = (dt.date(2025, m, 1) for m in (2, 3, 4))
    moves, _, arpa = revenue([
        change("c1", "A", "2025-02-20T00:00:00Z", "free", "pro", mrr_after="79"),
        change("c2", "A", "2025-04-01T00:00:00Z", "pro", "business", mrr_before="79",
               mrr_after="199"),
    ])
    assert moves[mar]["ending_mrr"] == Decimal(79)  # the April-1 change is not in force yet
    assert moves[apr] == movement(apr, starting=79, expansion=120, ending=199)
    assert list(moves) == [feb, mar, apr]


def test_pay_and_churn_inside_one_month_is_invisible():
    mar = dt.date(2025, 3, 1)
    moves, nrr, arpa = revenue([
        change("c1", "A", "2025-03-03T00:00:00Z", "free", "pro", mrr_after="79"),
        change("c2", "A", "2025-03-20T00:00:00Z", "pro", "free", mrr_before="79"),
    ])
    assert moves == {mar: movement(mar)}
    assert nrr[mar]["nrr_pct"] is None and arpa[mar]["arpa"] is None


def test_ties_at_one_instant_are_ordered_by_change_id():
    mar = dt.date(2025, 3, 1)
    moves, _, _ = revenue([
        change("c-b", "A", "2025-03-03T00:00:00Z", "pro", "free", mrr_before="79"),
        change("c-a", "A", "2025-03-03T00:00:00Z", "free", "pro", mrr_after="79"),
        change("d-a", "B", "2025-03-03T00:00:00Z", "pro", "free", mrr_before="79"),
        change("d-b", "B", "2025-03-03T00:00:00Z", "free", "pro", mrr_after="50"),
    ])
    assert moves[mar]["ending_mrr"] == Decimal(50)  # A ends on free (c-b), B on pro (d-b)


def test_missing_mrr_after_counts_as_zero():
    mar = dt.date(2025, 3, 1)
    moves, _, _ = revenue([change("c1", "A", "2025-03-03T00:00:00Z", "free", "pro",
                                  mrr_after="")])
    assert moves[mar]["ending_mrr"] == 0


@hypothesis_settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from("ABC"),
                          st.integers(min_value=0, max_value=24 * 150),
                          st.sampled_from(["free", "starter", "pro", "business"]),
                          st.integers(min_value=0, max_value=300)),
                min_size=1, max_size=25))
def test_mrr_movements_add_up(history):
    changes = [
        change(f"c{i:02d}", account, dt.datetime(2025, 1, 1) + dt.timedelta(hours=hours),
               None, plan, mrr_after=str(mrr))
        for i, (account, hours, plan, mrr) in enumerate(history)
    ]
    moves, nrr, arpa = revenue(changes)
    previous_ending = Decimal(0)
    for month, row in moves.items():
        assert row["starting_mrr"] == previous_ending
        assert row["ending_mrr"] == (row["starting_mrr"] + row["new_mrr"]
                                     + row["reactivation_mrr"] + row["expansion_mrr"]
                                     - row["contraction_mrr"] - row["churned_mrr"])
        assert arpa[month]["ending_mrr"] == row["ending_mrr"]
        previous_ending = row["ending_mrr"]


# ---------------------------------------------------------------------------
# Worked examples and zero denominators
# ---------------------------------------------------------------------------


def test_worked_example_upgrade_rate(tmp_path):
    expected = fixtures.worked_example_upgrade_rate(tmp_path)
    rows = compute_kpis(tmp_path)["fct_self_serve_upgrade_rate"]
    assert rows == [expected]
    assert expected["upgrade_rate_pct"] == 23.0


def test_worked_example_intent(tmp_path):
    expected = fixtures.worked_example_intent(tmp_path)
    rows = compute_kpis(tmp_path)["fct_upgrade_intent_signal_rate"]
    assert rows == [expected]
    assert expected["signal_rate_pct"] == 27.5


def test_worked_example_plan_upgrade(tmp_path):
    expected = fixtures.worked_example_plan_upgrade(tmp_path)
    rows = [r for r in compute_kpis(tmp_path)["fct_plan_upgrade_rate"]
            if r["period_grain"] == "quarter" and r["period_start"] == expected["period_start"]]
    subscribers = sum(r["subscribers_at_start"] for r in rows)
    upgraded = sum(r["upgraded_subscribers"] for r in rows)
    assert (subscribers, upgraded) == (3000, 120)
    assert 100.0 * upgraded / subscribers == expected["upgrade_rate_pct"] == 4.0
    for row in rows:
        plan = expected["by_from_plan"][row["from_plan_id"]]
        assert (row["subscribers_at_start"], row["upgraded_subscribers"],
                row["upgrade_rate_pct"]) == (plan["subscribers_at_start"],
                                             plan["upgraded_subscribers"],
                                             plan["upgrade_rate_pct"])


def test_zero_denominators_give_none(tmp_path):
    expected = fixtures.zero_denominator_dataset(tmp_path)
    marts = compute_kpis(tmp_path)
    for mart, columns in expected.items():
        key = MART_KEYS[mart][0]
        for column, months in columns.items():
            for month in months:
                row = only_row(marts[mart], **{key: month})
                assert row[column] is None, (mart, column, month)
    nrr = by_month(marts["fct_net_revenue_retention"])
    assert nrr[dt.date(2025, 2, 1)]["nrr_pct"] == 0.0  # a real zero stays a zero
    moves = by_month(marts["fct_mrr_movements"])
    assert moves[dt.date(2025, 4, 1)]["reactivation_mrr"] == Decimal(79)


def test_default_settings_mirror_the_contract():
    assert DEFAULT_SETTINGS == {
        "activation_events": ["dashboard_built", "report_shared"],
        "upgrade_intent_events": ["pricing_page_viewed", "paywall_hit", "usage_limit_warning",
                                  "upgrade_cta_clicked"],
        "activation_window_days": 14,
        "sales_touch_lookback_days": 30,
        "self_serve_change_channel": "self_serve",
        "self_serve_purchase_channel": "in_product",
        "team_expansion_upsell_types": ["seats"],
    }


def test_every_mart_is_computed_with_contract_columns(tmp_path):
    fixtures.zero_denominator_dataset(tmp_path)
    marts = compute_kpis(tmp_path)
    assert set(marts) == set(MART_KEYS)
    columns = {
        "fct_mrr_movements": {"revenue_month", "starting_mrr", "new_mrr", "expansion_mrr",
                              "contraction_mrr", "churned_mrr", "reactivation_mrr", "ending_mrr"},
        "fct_net_revenue_retention": {"revenue_month", "nrr_pct"},
        "fct_arpa": {"revenue_month", "ending_mrr", "paying_accounts", "arpa"},
        "fct_self_serve_upgrade_rate": {"activation_month", "activated_users", "upgraded_users",
                                        "upgrade_rate_pct"},
        "fct_upgrade_intent_signal_rate": {"activity_month", "active_free_users",
                                           "signaled_users", "signal_rate_pct"},
        "fct_plan_upgrade_rate": {"period_grain", "period_start", "from_plan_id",
                                  "subscribers_at_start", "upgraded_subscribers",
                                  "upgrade_rate_pct"},
    }
    for mart, names in columns.items():
        assert marts[mart], mart
        for row in marts[mart]:
            assert names <= set(row), mart


# ---------------------------------------------------------------------------
# compare_marts
# ---------------------------------------------------------------------------


def test_compare_marts_accepts_equivalent_values():
    expected = [{"revenue_month": MARCH, "starting_mrr": Decimal("10.00"), "nrr_pct": None}]
    for month in (MARCH, dt.datetime(2025, 3, 1), "2025-03-01", "2025-03-01 00:00:00"):
        actual = [{"revenue_month": month, "starting_mrr": 10.004, "nrr_pct": None,
                   "extra": 1}]
        assert compare_marts(expected, actual, ["revenue_month"]) == []


def test_compare_marts_reports_differences():
    expected = [
        {"revenue_month": MARCH, "starting_mrr": Decimal("10"), "nrr_pct": None},
        {"revenue_month": APRIL, "starting_mrr": Decimal("10"), "nrr_pct": 50.0},
    ]
    actual = [
        {"revenue_month": "2025-03-01", "starting_mrr": 10.02, "nrr_pct": 0},
        {"revenue_month": dt.date(2025, 5, 1), "starting_mrr": 1, "nrr_pct": 1.0},
    ]
    problems = compare_marts(expected, actual, ["revenue_month"])
    text = "\n".join(problems)
    assert len(problems) == 4, text
    assert "starting_mrr" in text and "nrr_pct" in text
    assert "missing row: revenue_month=2025-04-01" in text
    assert "extra row: revenue_month=2025-05-01" in text
    assert compare_marts([{"m": MARCH, "v": 1}], [{"m": dt.datetime(2025, 3, 1, 0, 0, 1),
                                                   "v": 1}], ["m"]) != []
