"""Synthetic raw data for the PLG KPI project.

`generate()` writes the seven raw tables (accounts, users, plans, product_events,
subscription_changes, upsell_purchases, sales_touches) into one folder, as CSV or Parquet,
with the columns in the order the raw-input contract fixes.

How the data is made
--------------------
Everything is generated inside DuckDB with set-based SQL: `range()` for the rows and a
seeded `hash()` for every pseudo-random choice (`rnd(k1, k2, salt)` below), never `random()`.
The same arguments therefore give the same output whatever the thread count, and every COPY
has an ORDER BY so CSV output is byte-identical from run to run.

The bulk is a population of self-serve accounts:

* each account starts on the free or the trial plan; most users of an account join within
  a few weeks of its creation;
* about 60% of accounts activate (their owner's first `dashboard_built` / `report_shared`
  event), and a good share of those upgrade self-serve within days, initiated by that user,
  right after a pricing-page or upgrade-CTA event; others upgrade later, through sales, or
  self-serve shortly after a sales touch;
* unconverted trials expire to the free plan (a billing-system change, no initiating user);
* paid accounts then follow a small state machine (seat expansions and contractions, tier
  upgrades and downgrades, team -> team_plus, cancellations to free, reactivations months
  later) on the self_serve, sales_assisted, cs_led and contracted channels. Every change
  carries the state it leaves (from_plan_id, mrr_before, seats_before are exactly the
  previous change's to_plan_id, mrr_after, seats_after), so each account's history is
  consistent. MRR is seats x the plan's monthly (per-seat) price;
* upsell purchases (feature_pack, add_on, tier, seats; mostly in_product) with a few
  refunds (negative amounts) some days later;
* sales touches (calls, demos, emails by the sales or cs team) before sales-led changes and
  scattered over accounts, more for larger segments;
* a few rows are written twice (loader retries) and about 1.5% of timestamps carry a UTC
  offset (+02:00, -08:00, +05:30) that denotes the same instant.

On top of the bulk, hand-crafted accounts with ids `edge-...` carry the boundary cases of
the KPI definitions at exact instants (see `_edge_rows`). They are placed relative to
`start`, within about five months of it.

Large event tables are written as a folder `product_events/part-NNN.<ext>` (one file per
block of accounts), which the contract accepts as one table.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Callable, Optional

import duckdb

__all__ = ["generate", "TABLES", "PLANS"]

# The seven raw tables and their columns, in the contract's order.
TABLES: dict[str, list[str]] = {
    "accounts": ["account_id", "account_name", "created_at", "segment", "country"],
    "users": ["user_id", "account_id", "created_at", "persona", "acquisition_source"],
    "plans": ["plan_id", "plan_name", "tier_rank", "is_paid", "monthly_price"],
    "product_events": ["event_id", "user_id", "account_id", "event_name", "occurred_at"],
    "subscription_changes": [
        "change_id", "account_id", "initiated_by_user_id", "changed_at", "from_plan_id",
        "to_plan_id", "mrr_before", "mrr_after", "seats_before", "seats_after", "channel",
    ],
    "upsell_purchases": [
        "purchase_id", "account_id", "user_id", "purchased_at", "upsell_type", "amount",
        "channel",
    ],
    "sales_touches": ["touch_id", "account_id", "touched_at", "touch_type", "team"],
}

# plan_id, plan_name, tier_rank, is_paid, monthly_price (per seat)
PLANS: list[tuple[str, str, int, bool, str]] = [
    ("free", "Free", 0, False, "0.00"),
    ("trial", "Trial", 0, False, "0.00"),
    ("starter", "Starter", 1, True, "12.00"),
    ("team", "Team", 2, True, "25.00"),
    ("team_plus", "Team Plus", 2, True, "32.00"),
    ("business", "Business", 3, True, "49.00"),
    ("enterprise", "Enterprise", 4, True, "89.00"),
]
_PRICE = {p[0]: Decimal(p[4]) for p in PLANS}

DAY = 86_400
HOUR = 3_600

# product_events is split into part files once it has more than this many rows.
EVENTS_PER_PART = 2_500_000

# Maximum number of follow-up changes after an account's first paid plan.
_MAX_STEPS = 10

_ORDINARY_EVENTS = [
    "login", "login", "login", "page_viewed", "page_viewed", "page_viewed",
    "dashboard_viewed", "dashboard_viewed", "query_run", "query_run", "chart_created",
    "filter_applied", "data_source_connected", "report_exported", "comment_added",
    "user_invited", "settings_updated", "alert_created", "search_performed",
]
_INTENT_EVENTS = ["pricing_page_viewed", "paywall_hit", "usage_limit_warning",
                  "upgrade_cta_clicked"]
_COUNTRIES = ["US", "US", "US", "US", "GB", "GB", "DE", "DE", "FR", "CA", "CA", "AU", "IN",
              "IN", "BR", "NL", "SE", "JP", "ES", "IT", "SG", "IE", "PL", "MX", "ZA"]
_NAME_A = ["Blue", "Bright", "Quiet", "Rapid", "North", "Silver", "Golden", "Clever", "Bold",
           "Green", "Red", "Iron", "Swift", "Lucky", "Prime", "Urban", "Crystal", "Summit",
           "Cedar", "Maple", "Harbor", "Atlas", "Nimbus", "Pioneer"]
_NAME_B = ["Labs", "Works", "Data", "Cloud", "Systems", "Analytics", "Ventures", "Studio",
           "Metrics", "Logic", "Forge", "Partners", "Dynamics", "Networks", "Bakery", "Foods",
           "Health", "Retail", "Media", "Logistics", "Robotics", "Finance"]
_NAME_C = ["", "", "", " Inc.", " LLC", ", Inc.", " GmbH", " Ltd", " & Co.", " Group"]
_PERSONAS = ["admin", "analyst", "analyst", "engineer", "engineer", "manager", "executive",
             "viewer", "viewer", "marketer"]
_SOURCES = ["organic_search", "organic_search", "paid_search", "referral", "content",
            "product_hunt", "partner", "direct", "direct", "social"]


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(values: list[str], r: str) -> str:
    """SQL picking one element of `values` with the uniform [0, 1) expression `r`."""
    return f"{_sql_list(values)}[1 + floor(({r}) * {len(values)})::BIGINT]"


def _epoch(d: dt.datetime) -> int:
    return calendar.timegm(d.utctimetuple())


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _iso(t: int, offset_minutes: int | None = None, micros: int = 0, decimal_sign: str = ".") -> str:
    """ISO 8601 text for epoch second `t`: `...Z`, or the same instant with an offset.
    Fractional seconds follow `decimal_sign`: ISO 8601 allows a point or a comma."""
    if offset_minutes is None:
        base = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=t, microseconds=micros)
        frac = f"{decimal_sign}{micros // 1000:03d}" if micros else ""
        return base.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"
    local = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=t + offset_minutes * 60)
    sign = "+" if offset_minutes >= 0 else "-"
    hh, mm = divmod(abs(offset_minutes), 60)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hh:02d}:{mm:02d}"


# --------------------------------------------------------------------------------------
# Hand-crafted boundary cases
# --------------------------------------------------------------------------------------

class _EdgeBuilder:
    """Collects the rows of the `edge-...` accounts, keeping each plan history consistent."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {t: [] for t in TABLES if t != "plans"}
        self._state: dict[str, tuple[str, int, Decimal]] = {}
        self._n: dict[tuple[str, str], int] = {}

    def _next_id(self, acc: str, kind: str) -> str:
        n = self._n.get((acc, kind), 0) + 1
        self._n[(acc, kind)] = n
        return f"{acc}-{kind}{n}"

    def account(self, key: str, created: int, name: str, *, users: int = 1,
                start_plan: str = "free", segment: str = "smb", country: str = "US",
                tz: int | None = None) -> str:
        acc = f"edge-{key}"
        self.rows["accounts"].append((acc, name, _iso(created, tz), segment, country))
        for i in range(1, users + 1):
            self.rows["users"].append(
                (f"{acc}-u{i}", acc, _iso(created + (i - 1) * DAY, tz),
                 "admin" if i == 1 else "analyst",
                 "organic_search" if i == 1 else "invite"))
        self._state[acc] = (start_plan, 0, Decimal("0.00"))
        return acc

    def event(self, acc: str, user: int, name: str, t: int, tz: int | None = None,
              micros: int = 0, decimal_sign: str = ".") -> tuple:
        row = (self._next_id(acc, "e"), f"{acc}-u{user}", acc, name, _iso(t, tz, micros, decimal_sign))
        self.rows["product_events"].append(row)
        return row

    def change(self, acc: str, t: int, to_plan: str, seats: int, channel: str,
               user: int | None, tz: int | None = None) -> tuple:
        from_plan, seats_before, mrr_before = self._state[acc]
        mrr_after = (_PRICE[to_plan] * seats).quantize(Decimal("0.01"))
        row = (self._next_id(acc, "c"), acc, None if user is None else f"{acc}-u{user}",
               _iso(t, tz), from_plan, to_plan, mrr_before, mrr_after, seats_before, seats,
               channel)
        self._state[acc] = (to_plan, seats, mrr_after)
        self.rows["subscription_changes"].append(row)
        return row

    def purchase(self, acc: str, user: int, t: int, upsell_type: str, amount: str,
                 channel: str = "in_product", tz: int | None = None) -> tuple:
        row = (self._next_id(acc, "p"), acc, f"{acc}-u{user}", _iso(t, tz), upsell_type,
               Decimal(amount), channel)
        self.rows["upsell_purchases"].append(row)
        return row

    def touch(self, acc: str, t: int, touch_type: str = "call", team: str = "sales",
              tz: int | None = None) -> tuple:
        row = (self._next_id(acc, "t"), acc, _iso(t, tz), touch_type, team)
        self.rows["sales_touches"].append(row)
        return row

    def duplicate(self, table: str, row: tuple) -> None:
        """A loader retry: the same row once more, at the end of the table."""
        self.rows[table].append(row)


def _edge_rows(p0: int, month0: dt.date) -> dict[str, list[tuple]]:
    """The boundary cases, at instants relative to the start `p0` (epoch seconds).

    `month0` is the first day of the start's month; `month(k)` is the first instant of the
    k-th month after it.
    """
    def month(k: int) -> int:
        return _epoch(dt.datetime.combine(_add_months(month0, k), dt.time()))

    b = _EdgeBuilder()
    D, H = DAY, HOUR

    # Activation window (14 days, closed at both ends). Activation at T; a self-serve
    # upgrade by the activating user at T, T + 14 days, T + 14 days + 1 s, and T - 1 s.
    T = p0 + 9 * D + 9 * H + 30 * 60
    for key, delta, label in [
        ("win-at", 0, "upgrade at the activation instant"),
        ("win-end", 14 * D, "upgrade at activation + 14 days"),
        ("win-late", 14 * D + 1, "upgrade one second after the window"),
        ("win-before", -1, "upgrade one second before activation"),
    ]:
        acc = b.account(key, T - 3 * D, f"Edge Case: {label}")
        b.event(acc, 1, "login", T - 2 * D)
        act = b.event(acc, 1, "dashboard_built", T)
        if key == "win-at":
            b.duplicate("product_events", act)
        b.event(acc, 1, "pricing_page_viewed", T + delta - 120)
        b.change(acc, T + delta, "starter", 2, "self_serve", 1)
        b.event(acc, 1, "report_shared", T + 20 * D)

    # Sales-touch look-back (30 days, closed at both ends) for a self-serve upgrade at c:
    # touches at c - 30 days (counts), c - 30 days - 1 s (does not), c (counts), c + 1 s
    # (does not).
    c = p0 + 50 * D + 14 * H
    touch_cases = [
        ("touch-30d", -30 * D, "touch 30 days before"),
        ("touch-30d-1s", -30 * D - 1, "touch 30 days and 1 second before"),
        ("touch-same", 0, "touch at the same instant"),
        ("touch-after", 1, "touch one second after"),
    ]
    for key, delta, label in touch_cases:
        acc = b.account(f"chg-{key}", c - 40 * D, f"Edge Case: upgrade, {label}",
                        segment="mid_market", country="GB")
        b.event(acc, 1, "report_shared", c - 1 * D)
        b.touch(acc, c + delta, "demo", "sales")
        b.change(acc, c, "team", 3, "self_serve", 1)
    # The same for an in-product purchase at p (the account stays on the free plan).
    p = p0 + 55 * D + 11 * H
    for key, delta, label in touch_cases:
        acc = b.account(f"pur-{key}", p - 45 * D, f"Edge Case: purchase, {label}",
                        country="DE")
        b.event(acc, 1, "dashboard_built", p - 2 * D)
        b.touch(acc, p + delta, "call", "sales")
        b.purchase(acc, 1, p, "feature_pack", "49.00")

    # Refunds: a purchase refunded the next month, a partial refund, a duplicated purchase.
    acc = b.account("refund", p0 + 20 * D, 'Refund & "Returns", Ltd', country="IE")
    b.change(acc, p0 + 25 * D + 10 * H, "starter", 3, "self_serve", 1)
    row = b.purchase(acc, 1, p0 + 32 * D + 15 * H, "feature_pack", "99.00")
    b.duplicate("upsell_purchases", row)
    b.purchase(acc, 1, p0 + 64 * D + 9 * H, "feature_pack", "-99.00")
    b.purchase(acc, 1, p0 + 33 * D + 8 * H, "add_on", "29.00")
    b.purchase(acc, 1, p0 + 35 * D + 8 * H, "add_on", "-10.00")

    # Churn to free and reactivation months later; the cancellation is written twice.
    acc = b.account("reactivate", p0 + 5 * D, "Edge Case: churn and reactivation")
    b.change(acc, p0 + 12 * D + 11 * H, "starter", 3, "self_serve", 1)
    row = b.change(acc, p0 + 45 * D + 17 * H, "free", 0, "self_serve", 1)
    b.duplicate("subscription_changes", row)
    b.change(acc, p0 + 150 * D + 10 * H, "team", 3, "self_serve", 1)

    # Churn to the free plan by the billing system (no initiating user).
    acc = b.account("churn-free", p0 + 6 * D, "Edge Case: churn to free", country="CA")
    b.change(acc, p0 + 14 * D + 9 * H, "team", 5, "self_serve", 1)
    b.change(acc, p0 + 75 * D + 3 * H, "free", 0, "self_serve", None)

    # Trials: one converts self-serve, one expires to free (billing system).
    acc = b.account("trial-convert", p0 + 8 * D, "Edge Case: trial converts",
                    start_plan="trial", country="AU")
    b.event(acc, 1, "dashboard_built", p0 + 9 * D + 13 * H)
    b.event(acc, 1, "upgrade_cta_clicked", p0 + 15 * D + 8 * H)
    b.change(acc, p0 + 15 * D + 8 * H + 45, "business", 4, "self_serve", 1)
    acc = b.account("trial-expire", p0 + 8 * D, "Edge Case: trial expires",
                    start_plan="trial", country="AU")
    b.event(acc, 1, "report_shared", p0 + 10 * D + 10 * H)
    b.change(acc, p0 + 22 * D, "free", 0, "self_serve", None)
    b.event(acc, 1, "paywall_hit", p0 + 30 * D + 10 * H)
    b.event(acc, 1, "usage_limit_warning", p0 + 31 * D + 10 * H)

    # Staff-initiated changes (no initiating user): a CS-led tier upgrade preceded by a CS
    # touch, then a contracted seat expansion.
    acc = b.account("staff", p0 + 7 * D, "Edge Case: staff-initiated changes", users=2,
                    segment="mid_market")
    b.change(acc, p0 + 13 * D + 10 * H, "starter", 5, "self_serve", 1)
    b.touch(acc, p0 + 58 * D + 10 * H, "call", "cs")
    b.change(acc, p0 + 60 * D + 10 * H, "business", 5, "cs_led", None)
    b.change(acc, p0 + 100 * D + 10 * H, "business", 12, "contracted", None)

    # A change at exactly midnight on the first of a month, and a cancellation at exactly
    # midnight on the first of a later month.
    acc = b.account("midnight", p0 + 20 * D, "Edge Case: midnight on the first")
    b.event(acc, 1, "dashboard_built", month(2) - 2 * D)
    b.change(acc, month(2), "team", 3, "self_serve", 1)
    b.change(acc, month(4), "free", 0, "self_serve", 1)

    # Pay and churn inside one month.
    acc = b.account("pay-churn", p0 + 30 * D, "Edge Case: pay and churn in one month")
    b.change(acc, month(3) + 4 * D + 10 * H, "starter", 1, "self_serve", 1)
    b.change(acc, month(3) + 19 * D + 16 * H, "free", 0, "self_serve", 1)

    # Expansions on the self-serve channel: same plan more seats (seat expansion); same
    # tier, other plan, higher MRR (other expansion); higher tier; and a downgrade.
    acc = b.account("seat-exp", p0 + 10 * D, "Edge Case: seat expansion")
    b.change(acc, p0 + 20 * D + 10 * H, "starter", 3, "self_serve", 1)
    b.change(acc, p0 + 50 * D + 10 * H, "starter", 8, "self_serve", 1)
    acc = b.account("other-exp", p0 + 10 * D, "Edge Case: other expansion")
    b.change(acc, p0 + 21 * D + 10 * H, "team", 4, "self_serve", 1)
    b.change(acc, p0 + 56 * D + 10 * H, "team_plus", 4, "self_serve", 1)
    acc = b.account("tier-up", p0 + 10 * D, "Edge Case: tier upgrade")
    b.change(acc, p0 + 22 * D + 10 * H, "starter", 2, "self_serve", 1)
    b.change(acc, p0 + 60 * D + 10 * H, "team", 2, "self_serve", 1)
    acc = b.account("downgrade", p0 + 10 * D, "Edge Case: downgrade")
    b.change(acc, p0 + 23 * D + 10 * H, "business", 6, "self_serve", 1)
    b.change(acc, p0 + 70 * D + 10 * H, "team", 6, "self_serve", 1)

    # Timestamps with UTC offsets. Activation written at -08:00 and the upgrade exactly
    # 14 days later written at +05:30: inside the window only when both are converted to
    # UTC. An event at 03:00 UTC on the first of a month written as 19:00 the previous day
    # at -08:00. One event written twice, once with Z and once with +02:00 (the same
    # instant, hence the same row). One event with fractional seconds, and one more that
    # day with ISO 8601's other decimal sign, a comma ("09:30:00,500Z").
    acc = b.account("offset", p0 + 30 * D, "Edge Case: UTC offsets", tz=120, country="IN")
    a = p0 + 35 * D + 22 * H
    b.event(acc, 1, "dashboard_built", a, tz=-480)
    b.change(acc, a + 14 * D, "starter", 2, "self_serve", 1, tz=330)
    b.event(acc, 1, "pricing_page_viewed", month(2) + 3 * H, tz=-480)
    row = b.event(acc, 1, "login", p0 + 40 * D + 7 * H)
    b.duplicate("product_events", row[:4] + (_iso(p0 + 40 * D + 7 * H, 120),))
    b.event(acc, 1, "page_viewed", p0 + 41 * D + 9 * H + 30 * 60, micros=250_000)
    b.event(acc, 1, "page_viewed", p0 + 41 * D + 10 * H + 30 * 60, micros=500_000, decimal_sign=",")
    b.touch(acc, p0 + 60 * D + 12 * H, "email", "cs", tz=330)
    b.purchase(acc, 1, p0 + 62 * D + 18 * H, "add_on", "19.00", tz=-480)

    # A user missing from `users` (the events export ran ahead of the users export): the
    # account of their first activation event stands in for theirs. Their first two
    # activation events are at one instant and name two accounts; the smaller event id names
    # the account on the free plan, so the user counts as activated on a free plan, though
    # the other account, on a paid plan, has the smaller id.
    paid = b.account("ghost-a-paid", p0 + 40 * D, "Edge Case: paid account of a missing user")
    b.change(paid, p0 + 45 * D + 10 * H, "starter", 2, "self_serve", 1)
    free = b.account("ghost-b-free", p0 + 40 * D, "Edge Case: free account of a missing user")
    a = p0 + 52 * D + 15 * H
    for n, (acc, name) in enumerate([(free, "dashboard_built"), (paid, "report_shared")], start=1):
        b.rows["product_events"].append((f"edge-ghost-e{n}", "edge-ghost-user", acc, name, _iso(a)))
    b.rows["product_events"].append(("edge-ghost-e3", "edge-ghost-user", paid, "dashboard_built", _iso(a + H)))
    return b.rows


# --------------------------------------------------------------------------------------
# Bulk
# --------------------------------------------------------------------------------------

def _macros(con: duckdb.DuckDBPyConnection, seed: int, p1: int) -> None:
    # rnd(k1, k2, salt) is uniform in [0, 1). The keys are mixed one after the other
    # (hash of xor) because hash(a, b, ...) combines its arguments' hashes by xor, which
    # would make draws with different salts move together.
    con.execute(f"""
        CREATE TEMP MACRO rnd(k1, k2, salt) AS
            (hash(xor(hash(xor(hash({int(seed)}::BIGINT, (salt)::VARCHAR), (k1)::UBIGINT)),
                      (k2)::UBIGINT)) >> 32) / 4294967296.0
    """)
    con.execute("""
        CREATE TEMP MACRO iso(t) AS strftime(epoch_ms((t)::BIGINT * 1000), '%Y-%m-%dT%H:%M:%SZ')
    """)
    con.execute("""
        CREATE TEMP MACRO iso_local(t) AS strftime(epoch_ms((t)::BIGINT * 1000), '%Y-%m-%dT%H:%M:%S')
    """)
    # About 1.5% of timestamps are written with a UTC offset (the same instant).
    con.execute("""
        CREATE TEMP MACRO tsx(t, k, salt) AS
            CASE (hash((k)::BIGINT, (salt)::VARCHAR) % 200)
                WHEN 0 THEN iso_local((t) + 7200) || '+02:00'
                WHEN 1 THEN iso_local((t) - 28800) || '-08:00'
                WHEN 2 THEN iso_local((t) + 19800) || '+05:30'
                ELSE iso(t) END
    """)
    price_cases = " ".join(f"WHEN '{p[0]}' THEN {p[4]}" for p in PLANS)
    tier_cases = " ".join(f"WHEN '{p[0]}' THEN {p[2]}" for p in PLANS)
    con.execute(f"CREATE TEMP MACRO price(p) AS (CASE p {price_cases} END)::DECIMAL(10,2)")
    con.execute(f"CREATE TEMP MACRO tier(p) AS CASE p {tier_cases} END")
    con.execute("""
        CREATE TEMP MACRO next_plan(p) AS CASE p WHEN 'starter' THEN 'team'
            WHEN 'team' THEN 'business' WHEN 'team_plus' THEN 'business'
            WHEN 'business' THEN 'enterprise' END
    """)
    con.execute("""
        CREATE TEMP MACRO prev_plan(p) AS CASE p WHEN 'team' THEN 'starter'
            WHEN 'team_plus' THEN 'team' WHEN 'business' THEN 'team'
            WHEN 'enterprise' THEN 'business' END
    """)
    # A user's join instant: the owner (k = 0) at the account's creation, the others
    # within 60 days of it (and before the end of the period).
    con.execute(f"""
        CREATE TEMP MACRO ucreated(a, k, t0) AS
            (t0) + CASE WHEN (k) = 0 THEN 0 ELSE floor(rnd(a, k, 'ucreated')
                * least({60 * DAY}, ({p1} - (t0)) / 2))::BIGINT END
    """)


def _build_accounts(con, n: int, e: int, p0: int, p1: int) -> None:
    per = p1 - p0
    con.execute(f"""
    CREATE TEMP TABLE acct AS
    WITH b AS (
        SELECT a::BIGINT AS a,
               {p0} + floor({per} * 0.95 * sqrt(rnd(a, 0, 'created')))::BIGINT AS t0,
               rnd(a, 0, 'segment') AS r_seg,
               rnd(a, 0, 'trial') < 0.30 AS is_trial,
               rnd(a, 0, 'activate') AS r_act,
               rnd(a, 0, 'ta') AS r_ta,
               rnd(a, 0, 'conv') AS r_conv,
               rnd(a, 0, 'conv_t') AS r_c,
               rnd(a, 0, 'plan') AS r_plan,
               rnd(a, 0, 'seats') AS r_seats,
               rnd(a, 0, 'who') AS r_who,
               rnd(a, 0, 'touch') AS r_touch,
               rnd(a, 0, 'nusers') AS r_nu,
               rnd(a, 0, 'nevents') AS r_ne
        FROM range(1, {n} + 1) r(a)
    ), s AS (
        SELECT *,
               CASE WHEN r_seg < 0.72 THEN 'smb' WHEN r_seg < 0.94 THEN 'mid_market'
                    ELSE 'enterprise' END AS segment,
               t0 + {HOUR} + floor({10 * DAY} * r_ta * r_ta)::BIGINT AS ta
        FROM b
    ), act AS (
        SELECT *, (r_act < 0.62 AND ta < {p1}) AS activated FROM s
    ), k AS (
        SELECT *,
               CASE WHEN activated THEN
                        CASE WHEN r_conv < 0.20 THEN 'ss_window' WHEN r_conv < 0.27 THEN 'ss_late'
                             WHEN r_conv < 0.31 THEN 'sales' WHEN r_conv < 0.33 THEN 'ss_touched' END
                    ELSE CASE WHEN r_conv < 0.04 THEN 'ss_late' END END AS kind0
        FROM act
    ), c AS (
        SELECT *,
               CASE kind0
                   WHEN 'ss_window' THEN ta + floor(r_c * r_c * {14 * DAY + 1})::BIGINT
                   WHEN 'ss_late' THEN (CASE WHEN activated THEN ta ELSE t0 END)
                        + {14 * DAY + HOUR} + floor(r_c * {60 * DAY})::BIGINT
                   WHEN 'sales' THEN ta + {3 * DAY} + floor(r_c * {40 * DAY})::BIGINT
                   WHEN 'ss_touched' THEN ta + floor(r_c * {14 * DAY})::BIGINT
               END AS c0
        FROM k
    ), conv AS (
        SELECT *,
               CASE WHEN c0 < {p1} THEN kind0 END AS conv_kind,
               CASE WHEN c0 < {p1} THEN c0 END AS c
        FROM c
    )
    SELECT a,
           'acc-' || lpad(a::VARCHAR, {max(7, len(str(n)))}, '0') AS account_id,
           {_pick(_NAME_A, "rnd(a, 0, 'name_a')")} || ' '
               || {_pick(_NAME_B, "rnd(a, 0, 'name_b')")}
               || {_pick(_NAME_C, "rnd(a, 0, 'name_c')")} AS account_name,
           t0, segment,
           {_pick(_COUNTRIES, "rnd(a, 0, 'country')")} AS country,
           CASE segment WHEN 'smb' THEN 1 + floor(r_nu * 4)
                        WHEN 'mid_market' THEN 2 + floor(r_nu * 7)
                        ELSE 3 + floor(r_nu * 10) END::BIGINT AS n_users,
           greatest(round({e} * (0.25 + 1.5 * r_ne)),
                    CASE WHEN c IS NOT NULL THEN 2 WHEN activated THEN 1 ELSE 0 END)::BIGINT AS n_ev,
           is_trial, activated, ta, conv_kind, c,
           CASE WHEN is_trial AND c <= t0 + {14 * DAY} THEN 'trial' ELSE 'free' END AS conv_from,
           CASE WHEN conv_kind = 'sales' THEN
                    CASE WHEN r_plan < 0.4 THEN 'team' WHEN r_plan < 0.8 THEN 'business'
                         ELSE 'enterprise' END
                ELSE CASE WHEN r_plan < 0.6 THEN 'starter' WHEN r_plan < 0.9 THEN 'team'
                          ELSE 'business' END END AS conv_plan,
           CASE segment WHEN 'smb' THEN 1 + floor(r_seats * 5)
                        WHEN 'mid_market' THEN 3 + floor(r_seats * 13)
                        ELSE 10 + floor(r_seats * 51) END::BIGINT AS conv_seats,
           CASE WHEN conv_kind = 'sales' THEN 'sales_assisted' ELSE 'self_serve' END AS conv_channel,
           CASE WHEN conv_kind = 'sales' AND r_who >= 0.6 THEN NULL ELSE 0 END::BIGINT AS conv_user_k,
           CASE conv_kind
               WHEN 'sales' THEN greatest(t0, c - {HOUR} - floor(r_touch * {25 * DAY})::BIGINT)
               WHEN 'ss_touched' THEN greatest(t0, c - 600 - floor(r_touch * {20 * DAY})::BIGINT)
           END AS conv_touch_t,
           CASE WHEN is_trial AND (c IS NULL OR c > t0 + {14 * DAY}) AND t0 + {14 * DAY} < {p1}
                THEN t0 + {14 * DAY} END AS expiry_t
    FROM conv
    """)
    con.execute("""
        CREATE TEMP TABLE acct2 AS
        SELECT *, sum(n_users) OVER (ORDER BY a) - n_users AS u_off,
                  sum(n_ev) OVER (ORDER BY a) - n_ev AS e_off
        FROM acct
    """)
    con.execute("DROP TABLE acct")
    con.execute("ALTER TABLE acct2 RENAME TO acct")


def _build_changes(con, p1: int, user_w: int) -> None:
    """Plan histories: trial expiry, first paid plan, then a small state machine."""
    cols = ("a, seq, t, from_plan, to_plan, mrr_before, mrr_after, seats_before, "
            "seats_after, channel, user_k, plan, seats, mrr, last_seats")
    con.execute(f"""
        CREATE TEMP TABLE st_0 AS
        SELECT a, 0 AS seq, expiry_t AS t, 'trial' AS from_plan, 'free' AS to_plan,
               0::DECIMAL(12,2) AS mrr_before, 0::DECIMAL(12,2) AS mrr_after,
               0::BIGINT AS seats_before, 0::BIGINT AS seats_after,
               'self_serve' AS channel, NULL::BIGINT AS user_k,
               'free' AS plan, 0::BIGINT AS seats, 0::DECIMAL(12,2) AS mrr, 0::BIGINT AS last_seats
        FROM acct WHERE expiry_t IS NOT NULL
    """)
    con.execute(f"""
        CREATE TEMP TABLE st_1 AS
        SELECT a, 1 AS seq, c AS t, conv_from AS from_plan, conv_plan AS to_plan,
               0::DECIMAL(12,2) AS mrr_before,
               (conv_seats * price(conv_plan))::DECIMAL(12,2) AS mrr_after,
               0::BIGINT AS seats_before, conv_seats AS seats_after,
               conv_channel AS channel, conv_user_k AS user_k,
               conv_plan AS plan, conv_seats AS seats,
               (conv_seats * price(conv_plan))::DECIMAL(12,2) AS mrr, conv_seats AS last_seats
        FROM acct WHERE c IS NOT NULL
    """)
    steps = ["st_0", "st_1"]
    for s in range(2, _MAX_STEPS + 2):
        prev = steps[-1]
        con.execute(f"""
        CREATE TEMP TABLE st_{s} AS
        WITH p AS (
            SELECT st.a, st.t, st.plan, st.seats, st.mrr, st.last_seats, acct.n_users,
                   rnd(st.a, {s}, 'step') AS r, rnd(st.a, {s}, 'gap') AS g,
                   rnd(st.a, {s}, 'x') AS x, rnd(st.a, {s}, 'y') AS y,
                   rnd(st.a, {s}, 'channel') AS rc, rnd(st.a, {s}, 'who') AS rw,
                   rnd(st.a, {s}, 'who_k') AS rk
            FROM {prev} st JOIN acct USING (a)
        ), q AS (
            SELECT *,
                CASE WHEN mrr > 0 THEN
                    CASE WHEN r < 0.22 THEN 'seat_up'
                         WHEN r < 0.34 AND tier(plan) < 4 THEN 'tier_up'
                         WHEN r < 0.38 AND plan = 'team' THEN 'other_up'
                         WHEN r < 0.44 AND tier(plan) > 1 THEN 'tier_down'
                         WHEN r < 0.50 AND seats > 1 THEN 'seat_down'
                         WHEN r < 0.62 THEN 'cancel'
                         ELSE 'stop' END
                ELSE CASE WHEN r < 0.35 THEN 'reactivate' ELSE 'stop' END END AS act,
                t + CASE WHEN mrr > 0 THEN {15 * DAY} + floor(g * {135 * DAY})::BIGINT
                         ELSE {45 * DAY} + floor(g * {180 * DAY})::BIGINT END AS t_new
            FROM p
        ), n AS (
            SELECT *,
                CASE act WHEN 'seat_up' THEN plan WHEN 'tier_up' THEN next_plan(plan)
                         WHEN 'other_up' THEN 'team_plus' WHEN 'tier_down' THEN prev_plan(plan)
                         WHEN 'seat_down' THEN plan WHEN 'cancel' THEN 'free'
                         WHEN 'reactivate' THEN CASE WHEN y < 0.6 THEN 'starter' ELSE 'team' END
                END AS to_plan,
                CASE act WHEN 'seat_up' THEN seats + 1 + floor(x * greatest(1, seats / 2))::BIGINT
                         WHEN 'seat_down' THEN greatest(1, seats - 1 - floor(x * (seats - 1) / 2)::BIGINT)
                         WHEN 'cancel' THEN 0
                         WHEN 'reactivate' THEN greatest(1, last_seats - floor(x * 2)::BIGINT)
                         ELSE seats END::BIGINT AS seats_after
            FROM q WHERE act <> 'stop' AND t_new < {p1}
        ), ch AS (
            SELECT *,
                CASE act
                    WHEN 'seat_up' THEN CASE WHEN plan = 'enterprise' THEN
                            CASE WHEN rc < 0.7 THEN 'contracted' ELSE 'cs_led' END
                        WHEN rc < 0.75 THEN 'self_serve' WHEN rc < 0.9 THEN 'cs_led'
                        ELSE 'sales_assisted' END
                    WHEN 'tier_up' THEN CASE WHEN to_plan = 'enterprise' THEN
                            CASE WHEN rc < 0.6 THEN 'contracted' ELSE 'sales_assisted' END
                        WHEN rc < 0.6 THEN 'self_serve' WHEN rc < 0.9 THEN 'sales_assisted'
                        ELSE 'cs_led' END
                    WHEN 'other_up' THEN CASE WHEN rc < 0.8 THEN 'self_serve' ELSE 'cs_led' END
                    WHEN 'cancel' THEN CASE WHEN rc < 0.85 THEN 'self_serve' ELSE 'cs_led' END
                    WHEN 'reactivate' THEN CASE WHEN rc < 0.9 THEN 'self_serve'
                        ELSE 'sales_assisted' END
                    ELSE CASE WHEN plan = 'enterprise' THEN 'contracted'
                        WHEN rc < 0.7 THEN 'self_serve' ELSE 'cs_led' END
                END AS channel
            FROM n
        )
        SELECT a, {s} AS seq, t_new AS t, plan AS from_plan, to_plan,
               mrr AS mrr_before, (seats_after * price(to_plan))::DECIMAL(12,2) AS mrr_after,
               seats AS seats_before, seats_after, channel,
               CASE WHEN act = 'cancel' AND rc >= 0.65 THEN NULL
                    WHEN channel = 'self_serve' THEN
                        CASE WHEN rw < 0.7 THEN 0 ELSE floor(rk * n_users)::BIGINT END
                    WHEN channel = 'sales_assisted' THEN CASE WHEN rw < 0.4 THEN NULL ELSE 0 END
                    ELSE CASE WHEN rw < 0.7 THEN NULL ELSE 0 END
               END::BIGINT AS user_k,
               to_plan AS plan, seats_after AS seats,
               (seats_after * price(to_plan))::DECIMAL(12,2) AS mrr,
               CASE WHEN seats_after > 0 THEN seats_after ELSE last_seats END AS last_seats
        FROM ch
        """)
        steps.append(f"st_{s}")
        if con.execute(f"SELECT count(*) FROM st_{s}").fetchone()[0] == 0:
            break
    union = " UNION ALL ".join(f"SELECT {cols} FROM {t}" for t in steps)
    con.execute(f"""
        CREATE TEMP TABLE chg AS
        SELECT u.*, row_number() OVER (ORDER BY u.a, u.seq) AS num,
               acct.account_id, acct.t0,
               CASE WHEN u.user_k IS NOT NULL THEN
                   'usr-' || lpad((acct.u_off + u.user_k + 1)::VARCHAR, {user_w}, '0') END AS user_id
        FROM ({union}) u JOIN acct USING (a)
    """)
    for t in steps:
        con.execute(f"DROP TABLE {t}")


def _build_touches(con, p1: int) -> None:
    con.execute(f"""
    CREATE TEMP TABLE tch AS
    WITH conv AS (
        SELECT a, 0 AS kind, 0::BIGINT AS k, conv_touch_t AS t, 'sales' AS team
        FROM acct WHERE conv_touch_t IS NOT NULL
    ), step AS (
        SELECT a, 1 AS kind, seq::BIGINT AS k,
               greatest(t0, t - 600 - floor(rnd(a, seq, 'touch_t') * {14 * DAY})::BIGINT) AS t,
               CASE WHEN channel = 'cs_led' THEN 'cs' ELSE 'sales' END AS team
        FROM chg
        WHERE seq >= 2 AND channel IN ('sales_assisted', 'cs_led', 'contracted')
          AND rnd(a, seq, 'touch') < 0.85
    ), bg0 AS (
        SELECT a, t0,
               CASE segment WHEN 'smb' THEN CASE WHEN rnd(a, 0, 'bg') < 0.12 THEN 1 ELSE 0 END
                            WHEN 'mid_market' THEN floor(rnd(a, 0, 'bg') * 4)
                            ELSE 2 + floor(rnd(a, 0, 'bg') * 5) END::BIGINT AS n_bg
        FROM acct
    ), bg AS (
        SELECT a, 2 AS kind, k, t0 + floor(rnd(a, k, 'bg_t') * ({p1} - t0))::BIGINT AS t,
               CASE WHEN rnd(a, k, 'bg_team') < 0.7 THEN 'sales' ELSE 'cs' END AS team
        FROM (SELECT a, t0, unnest(range(n_bg)) AS k FROM bg0)
    ), u AS (
        SELECT * FROM conv UNION ALL SELECT * FROM step UNION ALL SELECT * FROM bg
    )
    SELECT u.*, acct.account_id,
           row_number() OVER (ORDER BY u.a, u.kind, u.k) AS num,
           CASE WHEN rnd(u.a, u.kind * 1000 + u.k, 'ttype') < 0.4 THEN 'call'
                WHEN rnd(u.a, u.kind * 1000 + u.k, 'ttype') < 0.6 THEN 'demo'
                ELSE 'email' END AS touch_type
    FROM u JOIN acct USING (a)
    """)


def _build_purchases(con, p1: int, user_w: int) -> None:
    con.execute(f"""
    CREATE TEMP TABLE pur AS
    WITH b AS (
        SELECT a, account_id, u_off, n_users,
               coalesce(c, t0) AS base,
               CASE WHEN c IS NOT NULL THEN greatest(0, floor(rnd(a, 0, 'np') * 5) - 1)
                    WHEN rnd(a, 0, 'np') < 0.03 THEN 1 ELSE 0 END::BIGINT AS n_p,
               c IS NOT NULL AS paid
        FROM acct
    ), p AS (
        SELECT *, base + {HOUR} + floor(rnd(a, k, 'pt') * ({p1} - base - {HOUR}))::BIGINT AS t,
               rnd(a, k, 'ptype') AS rt, rnd(a, k, 'pamount') AS ra
        FROM (SELECT *, unnest(range(n_p)) AS k FROM b)
        WHERE {p1} - base > {2 * HOUR}
    ), typed AS (
        SELECT *,
            CASE WHEN NOT paid THEN CASE WHEN rt < 0.5 THEN 'add_on' ELSE 'feature_pack' END
                 WHEN rt < 0.35 THEN 'feature_pack' WHEN rt < 0.70 THEN 'add_on'
                 WHEN rt < 0.80 THEN 'tier' ELSE 'seats' END AS upsell_type
        FROM p
    ), priced AS (
        SELECT *,
            CASE upsell_type
                WHEN 'feature_pack' THEN [49, 99, 149, 199][1 + floor(ra * 4)::BIGINT]
                WHEN 'add_on' THEN [9, 19, 29, 59][1 + floor(ra * 4)::BIGINT]
                WHEN 'tier' THEN [100, 250, 500][1 + floor(ra * 3)::BIGINT]
                ELSE 12 * (1 + floor(ra * 10)) END::DECIMAL(12,2) AS amount,
            CASE WHEN rnd(a, k, 'pchannel') < 0.75 THEN 'in_product'
                 WHEN rnd(a, k, 'pchannel') < 0.9 THEN 'sales_assisted' ELSE 'cs_led' END AS channel,
            'usr-' || lpad((u_off + 1 + CASE WHEN rnd(a, k, 'puser') < 0.6 THEN 0
                 ELSE floor(rnd(a, k, 'puser_k') * n_users)::BIGINT END)::VARCHAR,
                 {user_w}, '0') AS user_id
        FROM typed
    ), refunds AS (
        SELECT a, account_id, k, 1 AS refund,
               t + {DAY} + floor(rnd(a, k, 'rt') * {45 * DAY})::BIGINT AS t,
               upsell_type, -amount AS amount, channel, user_id
        FROM priced WHERE rnd(a, k, 'refund') < 0.05
    ), u AS (
        SELECT a, account_id, k, 0 AS refund, t, upsell_type, amount, channel, user_id FROM priced
        UNION ALL
        SELECT * FROM refunds WHERE t < {p1}
    )
    SELECT *, row_number() OVER (ORDER BY a, k, refund) AS num FROM u
    """)


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

_EDGE_TYPES = {
    "accounts": "account_id VARCHAR, account_name VARCHAR, created_at VARCHAR, "
                "segment VARCHAR, country VARCHAR",
    "users": "user_id VARCHAR, account_id VARCHAR, created_at VARCHAR, persona VARCHAR, "
             "acquisition_source VARCHAR",
    "product_events": "event_id VARCHAR, user_id VARCHAR, account_id VARCHAR, "
                      "event_name VARCHAR, occurred_at VARCHAR",
    "subscription_changes": "change_id VARCHAR, account_id VARCHAR, "
                            "initiated_by_user_id VARCHAR, changed_at VARCHAR, "
                            "from_plan_id VARCHAR, to_plan_id VARCHAR, "
                            "mrr_before DECIMAL(12,2), mrr_after DECIMAL(12,2), "
                            "seats_before INTEGER, seats_after INTEGER, channel VARCHAR",
    "upsell_purchases": "purchase_id VARCHAR, account_id VARCHAR, user_id VARCHAR, "
                        "purchased_at VARCHAR, upsell_type VARCHAR, amount DECIMAL(12,2), "
                        "channel VARCHAR",
    "sales_touches": "touch_id VARCHAR, account_id VARCHAR, touched_at VARCHAR, "
                     "touch_type VARCHAR, team VARCHAR",
}


def _load_edges(con, rows: dict[str, list[tuple]]) -> None:
    for table, types in _EDGE_TYPES.items():
        con.execute(f"CREATE TEMP TABLE edge_{table} ({types}, ord INTEGER)")
        data = [tuple(r) + (i,) for i, r in enumerate(rows[table])]
        if data:
            marks = ", ".join("?" for _ in range(len(data[0])))
            con.executemany(f"INSERT INTO edge_{table} VALUES ({marks})", data)


def _bulk_selects(ev_w: int, user_w: int, chg_w: int, pur_w: int, tch_w: int,
                  p1: int) -> dict[str, str]:
    """SELECTs producing each table's columns plus `grp, ord` for a stable order.

    product_events' SELECT has `{lo}`/`{hi}` placeholders for its block of accounts.
    """
    intent = _sql_list(_INTENT_EVENTS)
    return {
        "accounts": """
            SELECT account_id, account_name, tsx(t0, a, 'accounts') AS created_at,
                   segment, country, 0 AS grp, a AS ord
            FROM acct
        """,
        "users": f"""
            SELECT 'usr-' || lpad((u_off + k + 1)::VARCHAR, {user_w}, '0') AS user_id,
                   account_id, tsx(ucreated(a, k, t0), u_off + k, 'users') AS created_at,
                   CASE WHEN k = 0 AND rnd(a, k, 'persona0') < 0.6 THEN 'admin'
                        ELSE {_pick(_PERSONAS, "rnd(a, k, 'persona')")} END AS persona,
                   CASE WHEN k > 0 AND rnd(a, k, 'invited') < 0.8 THEN 'invite'
                        ELSE {_pick(_SOURCES, "rnd(a, k, 'source')")} END AS acquisition_source,
                   0 AS grp, u_off + k AS ord
            FROM (SELECT a, account_id, t0, u_off, unnest(range(n_users)) AS k FROM acct)
        """,
        "product_events": f"""
            WITH s AS (
                SELECT a, account_id, t0, n_users, u_off, e_off, activated, ta, c,
                       unnest(range(n_ev)) AS j
                FROM acct WHERE a BETWEEN {{lo}} AND {{hi}}
            ), e AS (
                SELECT *, e_off + j AS seq,
                       (j = 0 AND activated) AS is_act, (j = 1 AND c IS NOT NULL) AS is_intent,
                       CASE WHEN (j = 0 AND activated) OR (j = 1 AND c IS NOT NULL) THEN 0
                            WHEN rnd(a, j, 'ev_owner') < 0.4 THEN 0
                            ELSE floor(rnd(a, j, 'ev_user') * n_users)::BIGINT END AS k,
                       rnd(a, j, 'ev_name') AS rn
                FROM s
            ), f AS (
                SELECT *,
                    CASE WHEN is_act THEN ta
                         WHEN is_intent THEN greatest(t0, c - 60 - floor(rnd(a, j, 'ev_it') * 10800)::BIGINT)
                         ELSE ucreated(a, k, t0) + floor(({p1} - ucreated(a, k, t0))
                              * pow(rnd(a, j, 'ev_t'), 1.5))::BIGINT END AS t
                FROM e
            ), dup AS (
                SELECT * FROM f
                UNION ALL
                SELECT * FROM f WHERE hash(seq, 'ev_dup') % 5000 = 0
            )
            SELECT 'evt-' || lpad((seq + 1)::VARCHAR, {ev_w}, '0') AS event_id,
                   'usr-' || lpad((u_off + k + 1)::VARCHAR, {user_w}, '0') AS user_id,
                   account_id,
                   CASE WHEN is_act THEN CASE WHEN rn < 0.65 THEN 'dashboard_built' ELSE 'report_shared' END
                        WHEN is_intent THEN CASE WHEN rn < 0.7 THEN 'pricing_page_viewed'
                                                 ELSE 'upgrade_cta_clicked' END
                        WHEN rn < 0.035 THEN CASE WHEN activated AND t > ta THEN
                                CASE WHEN rn < 0.02 THEN 'dashboard_built' ELSE 'report_shared' END
                             ELSE 'dashboard_viewed' END
                        WHEN rn < 0.095 THEN {intent}[1 + floor((rn - 0.035) / 0.015)::BIGINT]
                        ELSE {_pick(_ORDINARY_EVENTS, "rnd(a, j, 'ev_ordinary')")} END AS event_name,
                   tsx(t, seq, 'product_events') AS occurred_at,
                   0 AS grp, seq AS ord
            FROM dup
        """,
        "subscription_changes": f"""
            WITH d AS (
                SELECT * FROM chg
                UNION ALL
                SELECT * FROM chg WHERE hash(num, 'chg_dup') % 500 = 0
            )
            SELECT 'chg-' || lpad(num::VARCHAR, {chg_w}, '0') AS change_id,
                   account_id, user_id AS initiated_by_user_id,
                   tsx(t, num, 'subscription_changes') AS changed_at,
                   from_plan AS from_plan_id, to_plan AS to_plan_id,
                   mrr_before, mrr_after,
                   seats_before::INTEGER AS seats_before, seats_after::INTEGER AS seats_after,
                   channel, 0 AS grp, num AS ord
            FROM d
        """,
        "upsell_purchases": f"""
            WITH d AS (
                SELECT * FROM pur
                UNION ALL
                SELECT * FROM pur WHERE hash(num, 'pur_dup') % 400 = 0
            )
            SELECT 'pur-' || lpad(num::VARCHAR, {pur_w}, '0') AS purchase_id,
                   account_id, user_id, tsx(t, num, 'upsell_purchases') AS purchased_at,
                   upsell_type, amount, channel, 0 AS grp, num AS ord
            FROM d
        """,
        "sales_touches": f"""
            SELECT 'tch-' || lpad(num::VARCHAR, {tch_w}, '0') AS touch_id,
                   account_id, tsx(t, num, 'sales_touches') AS touched_at,
                   touch_type, team, 0 AS grp, num AS ord
            FROM tch
        """,
    }


def _copy(con, select: str, cols: list[str], path: Path, fmt: str) -> int:
    col_list = ", ".join(cols)
    opts = ("(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"')"
            if fmt == "csv" else "(FORMAT parquet, COMPRESSION zstd)")
    target = str(path).replace("'", "''")
    res = con.execute(
        f"COPY (SELECT {col_list} FROM ({select}) ORDER BY grp, ord) TO '{target}' {opts}")
    row = res.fetchone()
    return int(row[0]) if row else 0


def _clear_outputs(out: Path) -> None:
    """Remove earlier outputs of the seven tables, in either format, so none is stale."""
    for table in TABLES:
        for ext in ("csv", "parquet"):
            f = out / f"{table}.{ext}"
            if f.is_file():
                f.unlink()
        folder = out / table
        if folder.is_dir():
            for f in folder.glob("part-*"):
                if f.suffix in (".csv", ".parquet") and f.is_file():
                    f.unlink()
            try:
                folder.rmdir()
            except OSError:
                pass


def generate(out_dir, accounts: int = 2000, seed: int = 42, fmt: str = "csv",
             start: str = "2025-01-01", months: int = 12, events_per_account: int = 40,
             progress: Optional[Callable[[str], None]] = None) -> dict[str, int]:
    """Write a synthetic data set of the seven raw tables into `out_dir`.

    accounts            number of generated accounts (the `edge-...` accounts come on top)
    seed                seed of every pseudo-random choice
    fmt                 "csv" or "parquet"
    start, months       the period covered, from `start` (YYYY-MM-DD, 00:00 UTC) for
                        `months` calendar months
    events_per_account  average number of product events per account
    progress            optional callable receiving progress messages

    Earlier outputs of the seven tables in `out_dir` (either format, single file or part
    folder) are replaced. Returns the number of rows written per table (loader-retry
    duplicates included).
    """
    fmt = str(fmt).lower()
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    accounts, months, events_per_account, seed = (
        int(accounts), int(months), int(events_per_account), int(seed))
    if accounts < 0:
        raise ValueError("accounts must be >= 0")
    if months < 1:
        raise ValueError("months must be >= 1")
    if events_per_account < 0:
        raise ValueError("events_per_account must be >= 0")
    start_date = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
    if isinstance(start_date, dt.datetime):
        start_date = start_date.date()

    say = progress or (lambda _msg: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out)

    p0 = _epoch(dt.datetime.combine(start_date, dt.time()))
    p1 = _epoch(dt.datetime.combine(_add_months(start_date, months), dt.time()))
    month0 = start_date.replace(day=1)

    tmp = tempfile.mkdtemp(prefix="plg-generate-")
    counts: dict[str, int] = {}
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET temp_directory = '{tmp}'")
        con.execute("SET memory_limit = '4GB'")
        con.execute("SET preserve_insertion_order = true")
        _macros(con, seed, p1)

        say(f"building {accounts:,} accounts")
        _build_accounts(con, accounts, events_per_account, p0, p1)
        n_users, n_events = con.execute(
            "SELECT coalesce(sum(n_users), 0), coalesce(sum(n_ev), 0) FROM acct").fetchone()
        user_w = max(8, len(str(int(n_users))))
        ev_w = max(10, len(str(int(n_events))))
        say("building plan histories")
        _build_changes(con, p1, user_w)
        say("building sales touches and upsell purchases")
        _build_touches(con, p1)
        _build_purchases(con, p1, user_w)
        _load_edges(con, _edge_rows(p0, month0))
        widths = [max(8, len(str(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])))
                  for t in ("chg", "pur", "tch")]
        selects = _bulk_selects(ev_w, user_w, *widths, p1=p1)

        con.execute("""
            CREATE TEMP TABLE plans_out AS
            SELECT * FROM (VALUES """ + ", ".join(
                f"('{p[0]}', '{p[1]}', {p[2]}, {str(p[3]).lower()}, {p[4]}, {i})"
                for i, p in enumerate(PLANS)) + """)
            t(plan_id, plan_name, tier_rank, is_paid, monthly_price, ord)
        """)
        counts["plans"] = _copy(
            con, "SELECT plan_id, plan_name, tier_rank::INTEGER AS tier_rank, is_paid, "
                 "monthly_price::DECIMAL(10,2) AS monthly_price, 0 AS grp, ord FROM plans_out",
            TABLES["plans"], out / f"plans.{fmt}", fmt)
        say(f"plans: {counts['plans']:,} rows")

        for table in ("accounts", "users", "subscription_changes", "upsell_purchases",
                      "sales_touches"):
            cols = ", ".join(TABLES[table])
            sel = (f"{selects[table]} UNION ALL "
                   f"SELECT {cols}, 1 AS grp, ord FROM edge_{table}")
            counts[table] = _copy(con, sel, TABLES[table], out / f"{table}.{fmt}", fmt)
            say(f"{table}: {counts[table]:,} rows")

        # product_events, in blocks of accounts when large.
        cols = ", ".join(TABLES["product_events"])
        edge_sel = f"SELECT {cols}, 1 AS grp, ord FROM edge_product_events"
        per_block = max(1, EVENTS_PER_PART // max(1, events_per_account))
        n_parts = max(1, math.ceil(accounts / per_block)) if n_events > EVENTS_PER_PART else 1
        total = 0
        if n_parts == 1:
            sel = (selects["product_events"].format(lo=1, hi=max(accounts, 1))
                   + " UNION ALL " + edge_sel)
            total = _copy(con, sel, TABLES["product_events"], out / f"product_events.{fmt}",
                          fmt)
        else:
            folder = out / "product_events"
            folder.mkdir(exist_ok=True)
            for i in range(n_parts):
                lo, hi = i * per_block + 1, min(accounts, (i + 1) * per_block)
                sel = selects["product_events"].format(lo=lo, hi=hi)
                if i == n_parts - 1:
                    sel += " UNION ALL " + edge_sel
                total += _copy(con, sel, TABLES["product_events"],
                               folder / f"part-{i:03d}.{fmt}", fmt)
                say(f"product_events: part {i + 1}/{n_parts}, {total:,} rows so far")
        counts["product_events"] = total
        say(f"product_events: {total:,} rows")
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return {t: counts[t] for t in TABLES}
