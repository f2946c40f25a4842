"""Tests of the synthetic data generator (plg.generate).

The generated data must be valid raw input in the contract's format (seven tables, columns
in order, readable timestamps, unique ids apart from exact duplicates, referential
integrity, consistent plan histories), deterministic for a seed, and carry the boundary
cases of the KPI definitions at their exact instants.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import sys
import time
from pathlib import Path

import duckdb
import pytest

try:
    from plg import generate as gen
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
    from plg import generate as gen

CONTRACT_COLUMNS = {
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
TIME_COLUMN = {
    "accounts": "created_at",
    "users": "created_at",
    "product_events": "occurred_at",
    "subscription_changes": "changed_at",
    "upsell_purchases": "purchased_at",
    "sales_touches": "touched_at",
}
ID_COLUMN = {
    "accounts": "account_id",
    "users": "user_id",
    "plans": "plan_id",
    "product_events": "event_id",
    "subscription_changes": "change_id",
    "upsell_purchases": "purchase_id",
    "sales_touches": "touch_id",
}
# Every id column that must never be empty (initiated_by_user_id may be).
REQUIRED_IDS = {
    "accounts": ["account_id"],
    "users": ["user_id", "account_id"],
    "plans": ["plan_id"],
    "product_events": ["event_id", "user_id", "account_id"],
    "subscription_changes": ["change_id", "account_id", "from_plan_id", "to_plan_id"],
    "upsell_purchases": ["purchase_id", "account_id", "user_id"],
    "sales_touches": ["touch_id", "account_id"],
}
ISO_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([.,]\d+)?(Z|[+-]\d{2}:\d{2})$"
ACTIVATION = ("dashboard_built", "report_shared")
INTENT = ("pricing_page_viewed", "paywall_hit", "usage_limit_warning", "upgrade_cta_clicked")

ACCOUNTS = 2000


def table_source(folder: Path, table: str, ext: str) -> str:
    single = folder / f"{table}.{ext}"
    pattern = str(single) if single.exists() else str(folder / table / f"*.{ext}")
    if ext == "csv":
        # The dialect given, not sniffed: a quoted field (a timestamp with a comma) may lie
        # beyond the sniffer's sample.
        return f"read_csv('{pattern}', header=true, all_varchar=true, delim=',', quote='\"', escape='\"')"
    return f"read_parquet('{pattern}')"


def connect(folder: Path, ext: str = "csv") -> duckdb.DuckDBPyConnection:
    """Views `raw_<table>` (as written) and `<table>` (typed, exact duplicates removed)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in CONTRACT_COLUMNS:
        con.execute(f"CREATE VIEW raw_{table} AS SELECT * FROM {table_source(folder, table, ext)}")
    for table, col in TIME_COLUMN.items():
        con.execute(f"""
            CREATE VIEW {table} AS
            SELECT DISTINCT * REPLACE (CAST(replace({col}, ',', '.') AS TIMESTAMPTZ) AS {col}) FROM raw_{table}
        """)
    con.execute("""
        CREATE VIEW plans AS
        SELECT plan_id, plan_name, CAST(tier_rank AS INTEGER) AS tier_rank,
               CAST(is_paid AS BOOLEAN) AS is_paid,
               CAST(monthly_price AS DECIMAL(12,2)) AS monthly_price
        FROM raw_plans
    """)
    con.execute("""
        CREATE VIEW changes AS
        SELECT change_id, account_id, nullif(initiated_by_user_id, '') AS initiated_by_user_id,
               changed_at, from_plan_id, to_plan_id,
               CAST(mrr_before AS DECIMAL(12,2)) AS mrr_before,
               CAST(mrr_after AS DECIMAL(12,2)) AS mrr_after,
               CAST(seats_before AS INTEGER) AS seats_before,
               CAST(seats_after AS INTEGER) AS seats_after, channel
        FROM subscription_changes
    """)
    con.execute("""
        CREATE VIEW purchases AS
        SELECT * REPLACE (CAST(amount AS DECIMAL(12,2)) AS amount) FROM upsell_purchases
    """)
    return con


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


def file_digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def csv_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("csv")
    messages: list[str] = []
    counts = gen.generate(out, accounts=ACCOUNTS, seed=42, fmt="csv", progress=messages.append)
    return out, counts, messages


@pytest.fixture(scope="module")
def con(csv_data):
    return connect(csv_data[0])


# ----------------------------------------------------------------------------- layout

def test_seven_tables_with_contract_columns_in_order(csv_data):
    out, counts, messages = csv_data
    assert set(counts) == set(CONTRACT_COLUMNS)
    assert messages, "progress callable was not used"
    for table, columns in CONTRACT_COLUMNS.items():
        path = out / f"{table}.csv"
        assert path.is_file(), table
        with path.open(newline="") as f:
            header = next(csv.reader(f))
        assert header == columns, table


def test_returned_counts_match_files(csv_data, con):
    _, counts, _ = csv_data
    for table in CONTRACT_COLUMNS:
        assert counts[table] == scalar(con, f"SELECT count(*) FROM raw_{table}"), table
    assert counts["accounts"] > ACCOUNTS  # the edge accounts come on top
    assert 30 * ACCOUNTS < counts["product_events"] < 50 * ACCOUNTS


def test_csv_quoting_round_trips(csv_data, con):
    out, _, _ = csv_data
    with (out / "accounts.csv").open(newline="") as f:
        names = {row["account_id"]: row["account_name"] for row in csv.DictReader(f)}
    assert names["edge-refund"] == 'Refund & "Returns", Ltd'
    assert any("," in name for name in names.values())
    assert scalar(con, "SELECT account_name FROM raw_accounts WHERE account_id = 'edge-refund'") \
        == 'Refund & "Returns", Ltd'


# ----------------------------------------------------------------------- determinism

def test_same_seed_gives_byte_identical_csv(csv_data, tmp_path):
    out, counts, _ = csv_data
    again = gen.generate(tmp_path, accounts=ACCOUNTS, seed=42, fmt="csv")
    assert again == counts
    assert file_digests(tmp_path) == file_digests(out)


def test_other_seed_gives_other_data(csv_data, tmp_path):
    out, _, _ = csv_data
    gen.generate(tmp_path, accounts=ACCOUNTS, seed=7, fmt="csv")
    for table in ("accounts", "users", "product_events", "subscription_changes"):
        assert (tmp_path / f"{table}.csv").read_bytes() != (out / f"{table}.csv").read_bytes()
    assert (tmp_path / "plans.csv").read_bytes() == (out / "plans.csv").read_bytes()


def test_rerun_replaces_earlier_output(tmp_path):
    gen.generate(tmp_path, accounts=50, fmt="parquet")
    gen.generate(tmp_path, accounts=50, fmt="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{t}.csv" for t in CONTRACT_COLUMNS)


# -------------------------------------------------------------------------- validity

def test_ids_present_and_unique_except_exact_duplicates(con):
    for table, columns in REQUIRED_IDS.items():
        for col in columns:
            empty = scalar(con, f"SELECT count(*) FROM raw_{table} WHERE coalesce({col}, '') = ''")
            assert empty == 0, (table, col)
        view = "plans" if table == "plans" else table
        clashes = scalar(con, f"""
            SELECT count(*) FROM (SELECT {ID_COLUMN[table]} FROM {view}
                                  GROUP BY 1 HAVING count(*) > 1)""")
        assert clashes == 0, table


def test_timestamps_are_iso_and_readable(con):
    for table, col in TIME_COLUMN.items():
        bad = scalar(con, f"""
            SELECT count(*) FROM raw_{table}
            WHERE NOT regexp_matches({col}, '{ISO_PATTERN}')
               OR TRY_CAST(replace({col}, ',', '.') AS TIMESTAMPTZ) IS NULL""")
        assert bad == 0, table


def test_bulk_activity_inside_the_period(con):
    for table, col in TIME_COLUMN.items():
        outside = scalar(con, f"""
            SELECT count(*) FROM {table}
            WHERE {col} < TIMESTAMPTZ '2025-01-01 00:00:00+00'
               OR {col} >= TIMESTAMPTZ '2026-01-01 00:00:00+00'""")
        assert outside == 0, table


def test_referential_integrity(con):
    checks = {
        "change plan ids": """SELECT count(*) FROM changes c
            WHERE c.from_plan_id NOT IN (SELECT plan_id FROM plans)
               OR c.to_plan_id NOT IN (SELECT plan_id FROM plans)""",
        "change accounts": """SELECT count(*) FROM changes
            WHERE account_id NOT IN (SELECT account_id FROM accounts)""",
        "change initiators": """SELECT count(*) FROM changes c
            WHERE initiated_by_user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u
                WHERE u.user_id = c.initiated_by_user_id AND u.account_id = c.account_id)""",
        "user accounts": """SELECT count(*) FROM users
            WHERE account_id NOT IN (SELECT account_id FROM accounts)""",
        # Every event's user is in `users`, in the event's account, but the one edge case
        # of a user missing from `users`.
        "event users": """SELECT count(*) FROM product_events e
            WHERE e.user_id <> 'edge-ghost-user' AND NOT EXISTS (SELECT 1 FROM users u
                WHERE u.user_id = e.user_id AND u.account_id = e.account_id)""",
        "purchase users": """SELECT count(*) FROM purchases p
            WHERE NOT EXISTS (SELECT 1 FROM users u
                WHERE u.user_id = p.user_id AND u.account_id = p.account_id)""",
        "touch accounts": """SELECT count(*) FROM sales_touches
            WHERE account_id NOT IN (SELECT account_id FROM accounts)""",
        "events before the user joined": """SELECT count(*) FROM product_events e
            JOIN users u USING (user_id) WHERE e.occurred_at < u.created_at""",
        "activity before the account existed": """SELECT count(*) FROM (
                SELECT account_id, changed_at AS t FROM changes
                UNION ALL SELECT account_id, purchased_at FROM purchases
                UNION ALL SELECT account_id, touched_at FROM sales_touches
                UNION ALL SELECT account_id, created_at FROM users) x
            JOIN accounts a USING (account_id) WHERE x.t < a.created_at""",
    }
    for name, sql in checks.items():
        assert scalar(con, sql) == 0, name


def test_plans_shape(con):
    rows = con.execute(
        "SELECT plan_id, tier_rank, is_paid, monthly_price FROM plans ORDER BY tier_rank, monthly_price"
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    for plan in ("free", "trial"):
        assert by_id[plan][1] == 0 and by_id[plan][2] is False
    paid = [r for r in rows if r[2]]
    assert len(paid) >= 4 and all(r[1] > 0 and r[3] > 0 for r in paid)
    assert [r[1] for r in paid] == sorted(r[1] for r in paid)


def test_plan_histories_are_consistent(con):
    con.execute("""
        CREATE OR REPLACE TEMP VIEW history AS
        SELECT c.*, pt.is_paid AS to_paid,
               lag(to_plan_id) OVER w AS prev_to, lag(mrr_after) OVER w AS prev_mrr,
               lag(seats_after) OVER w AS prev_seats, row_number() OVER w AS n
        FROM changes c JOIN plans pt ON pt.plan_id = c.to_plan_id
        WINDOW w AS (PARTITION BY account_id ORDER BY changed_at, change_id)
    """)
    assert scalar(con, """SELECT count(*) FROM history WHERE n = 1
        AND (from_plan_id NOT IN ('free', 'trial') OR mrr_before <> 0)""") == 0
    assert scalar(con, """SELECT count(*) FROM history WHERE n > 1
        AND (from_plan_id <> prev_to OR mrr_before <> prev_mrr OR seats_before <> prev_seats)""") == 0
    assert scalar(con, """SELECT count(*) FROM history
        WHERE (to_paid AND (mrr_after <= 0 OR seats_after <= 0))
           OR (NOT to_paid AND mrr_after <> 0)""") == 0
    assert scalar(con, """SELECT count(*) FROM history
        WHERE from_plan_id = to_plan_id AND seats_before = seats_after""") == 0


def test_categorical_values(con):
    assert {r[0] for r in con.execute("SELECT DISTINCT channel FROM changes").fetchall()} == {
        "self_serve", "sales_assisted", "cs_led", "contracted"}
    assert {r[0] for r in con.execute("SELECT DISTINCT team FROM sales_touches").fetchall()} == {
        "sales", "cs"}
    assert {r[0] for r in con.execute("SELECT DISTINCT touch_type FROM sales_touches").fetchall()} \
        == {"call", "demo", "email"}
    types = {r[0] for r in con.execute("SELECT DISTINCT upsell_type FROM purchases").fetchall()}
    assert {"feature_pack", "add_on", "tier", "seats"} <= types
    channels = {r[0] for r in con.execute("SELECT DISTINCT channel FROM purchases").fetchall()}
    assert "in_product" in channels and len(channels) > 1
    names = {r[0] for r in con.execute("SELECT DISTINCT event_name FROM product_events").fetchall()}
    assert set(ACTIVATION) | set(INTENT) <= names
    assert len(names - set(ACTIVATION) - set(INTENT)) >= 5
    assert scalar(con, "SELECT count(DISTINCT segment) FROM accounts") >= 3
    assert scalar(con, "SELECT count(DISTINCT country) FROM accounts") >= 10
    assert scalar(con, "SELECT count(DISTINCT persona) FROM users") >= 4
    assert scalar(con, "SELECT count(DISTINCT acquisition_source) FROM users") >= 4
    assert scalar(con, "SELECT avg(n) FROM (SELECT count(*) AS n FROM users GROUP BY account_id)") > 2


def test_bulk_has_varied_histories(con):
    kinds = dict(con.execute("""
        SELECT kind, count(*) FROM (
            SELECT CASE
                WHEN NOT pf.is_paid AND pt.is_paid THEN 'to_paid'
                WHEN pf.is_paid AND NOT pt.is_paid THEN 'churn'
                WHEN NOT pf.is_paid THEN 'non_paid'
                WHEN pt.tier_rank > pf.tier_rank THEN 'tier_up'
                WHEN pt.tier_rank < pf.tier_rank THEN 'tier_down'
                WHEN c.from_plan_id = c.to_plan_id AND c.seats_after > c.seats_before THEN 'seat_up'
                WHEN c.from_plan_id = c.to_plan_id THEN 'seat_down'
                ELSE 'same_tier' END AS kind
            FROM changes c JOIN plans pf ON pf.plan_id = c.from_plan_id
            JOIN plans pt ON pt.plan_id = c.to_plan_id
            WHERE c.account_id LIKE 'acc-%') GROUP BY 1""").fetchall())
    for kind in ("to_paid", "churn", "non_paid", "tier_up", "tier_down", "seat_up", "seat_down"):
        assert kinds.get(kind, 0) > 0, kind
    reactivated = scalar(con, """
        SELECT count(DISTINCT c.account_id) FROM changes c
        JOIN plans pf ON pf.plan_id = c.from_plan_id JOIN plans pt ON pt.plan_id = c.to_plan_id
        WHERE NOT pf.is_paid AND pt.is_paid AND c.from_plan_id = 'free' AND EXISTS (
            SELECT 1 FROM changes d JOIN plans q ON q.plan_id = d.to_plan_id
            WHERE d.account_id = c.account_id AND q.is_paid AND d.changed_at < c.changed_at)""")
    assert reactivated > 0
    assert scalar(con, "SELECT count(*) FROM changes WHERE initiated_by_user_id IS NULL") > 0
    assert scalar(con, "SELECT count(*) FROM purchases WHERE amount < 0") > 0


def test_self_serve_upgrade_rate_is_realistic(con):
    """The headline KPI, computed directly: 5-40% of activated free users upgrade."""
    activated, upgraded = con.execute("""
        WITH ch AS (
            SELECT c.*, pf.is_paid AS from_paid, pt.is_paid AS to_paid FROM changes c
            JOIN plans pf ON pf.plan_id = c.from_plan_id JOIN plans pt ON pt.plan_id = c.to_plan_id
        ), act AS (
            SELECT e.user_id, u.account_id, min(e.occurred_at) AS ta
            FROM product_events e JOIN users u USING (user_id)
            WHERE e.event_name IN ('dashboard_built', 'report_shared') GROUP BY ALL
        ), den AS (
            SELECT a.* FROM act a
            WHERE NOT coalesce((SELECT arg_max(to_paid, (changed_at, change_id)) FROM ch
                                WHERE ch.account_id = a.account_id AND ch.changed_at < a.ta), false)
        ), up AS (
            SELECT DISTINCT d.user_id FROM den d JOIN ch
              ON ch.initiated_by_user_id = d.user_id AND NOT ch.from_paid AND ch.to_paid
             AND ch.channel = 'self_serve'
             AND ch.changed_at BETWEEN d.ta AND d.ta + INTERVAL 14 DAY
            WHERE NOT EXISTS (SELECT 1 FROM sales_touches s WHERE s.account_id = ch.account_id
                AND s.touched_at BETWEEN ch.changed_at - INTERVAL 30 DAY AND ch.changed_at)
        )
        SELECT (SELECT count(*) FROM den), (SELECT count(*) FROM up)
    """).fetchone()
    rate = 100.0 * upgraded / activated
    print(f"self-serve upgrade rate: {upgraded}/{activated} = {rate:.1f}%")
    assert activated > ACCOUNTS / 2
    assert 5 <= rate <= 40


# ------------------------------------------------------------------------ edge cases

def instant(con, sql: str) -> float:
    """Epoch seconds of the single timestamp `sql` selects."""
    return scalar(con, f"SELECT epoch(({sql}))")


def test_activation_window_boundaries(con):
    day = 86_400
    for account, delta in [("edge-win-at", 0), ("edge-win-end", 14 * day),
                           ("edge-win-late", 14 * day + 1), ("edge-win-before", -1)]:
        act = instant(con, f"""SELECT min(occurred_at) FROM product_events
            WHERE account_id = '{account}' AND event_name IN {ACTIVATION}""")
        row = con.execute(f"""SELECT epoch(changed_at), from_plan_id, to_plan_id, channel,
                initiated_by_user_id FROM changes WHERE account_id = '{account}'""").fetchall()
        assert len(row) == 1, account
        changed, from_plan, to_plan, channel, user = row[0]
        assert changed - act == delta, account
        assert (from_plan, to_plan, channel, user) == ("free", "starter", "self_serve",
                                                       f"{account}-u1")


def test_sales_touch_look_back_boundaries(con):
    day = 86_400
    for prefix, sql in [
        ("chg", "SELECT changed_at FROM changes WHERE account_id = '{a}'"),
        ("pur", "SELECT purchased_at FROM purchases WHERE account_id = '{a}'"),
    ]:
        for key, delta in [("touch-30d", -30 * day), ("touch-30d-1s", -30 * day - 1),
                           ("touch-same", 0), ("touch-after", 1)]:
            account = f"edge-{prefix}-{key}"
            at = instant(con, sql.format(a=account))
            touched = instant(con, f"SELECT touched_at FROM sales_touches WHERE account_id = '{account}'")
            assert touched - at == delta, account
    assert con.execute("""SELECT channel FROM changes
        WHERE account_id = 'edge-chg-touch-30d'""").fetchone()[0] == "self_serve"
    assert con.execute("""SELECT channel, upsell_type FROM purchases
        WHERE account_id = 'edge-pur-touch-30d'""").fetchone() == ("in_product", "feature_pack")


def test_refunds(con):
    rows = con.execute("""SELECT upsell_type, amount, purchased_at FROM purchases
        WHERE account_id = 'edge-refund' ORDER BY purchased_at""").fetchall()
    amounts = sorted(float(r[1]) for r in rows)
    assert amounts == [-99.0, -10.0, 29.0, 99.0]
    refund = [r for r in rows if float(r[1]) == -99.0][0]
    sale = [r for r in rows if float(r[1]) == 99.0][0]
    assert (refund[2].year, refund[2].month) != (sale[2].year, sale[2].month)


def history(con, account: str) -> list[tuple]:
    return con.execute(f"""
        SELECT from_plan_id, to_plan_id, mrr_before, mrr_after, seats_before, seats_after,
               channel, initiated_by_user_id, changed_at
        FROM changes WHERE account_id = '{account}' ORDER BY changed_at, change_id""").fetchall()


def test_churn_and_reactivation(con):
    h = history(con, "edge-reactivate")
    assert [(r[0], r[1]) for r in h] == [("free", "starter"), ("starter", "free"), ("free", "team")]
    assert h[1][3] == 0 and h[2][3] > 0
    assert (h[2][8] - h[1][8]).days >= 60
    h = history(con, "edge-churn-free")
    assert [(r[1], r[3]) for r in h][-1] == ("free", 0)
    assert h[-1][7] is None


def test_trials(con):
    h = history(con, "edge-trial-convert")
    assert (h[0][0], h[0][1], h[0][6]) == ("trial", "business", "self_serve")
    h = history(con, "edge-trial-expire")
    assert [(r[0], r[1], r[7]) for r in h] == [("trial", "free", None)]
    assert scalar(con, "SELECT count(*) FROM changes WHERE from_plan_id = 'trial' "
                       "AND account_id LIKE 'acc-%'") > 0


def test_staff_initiated_changes(con):
    h = history(con, "edge-staff")
    assert [(r[6], r[7]) for r in h[1:]] == [("cs_led", None), ("contracted", None)]
    raw_empty = scalar(con, """SELECT count(*) FROM raw_subscription_changes
        WHERE account_id = 'edge-staff' AND initiated_by_user_id IS NULL""")
    assert raw_empty == 2


def test_midnight_and_pay_and_churn_in_one_month(con):
    h = history(con, "edge-midnight")
    first = h[0][8]
    assert (first.day, first.hour, first.minute, first.second) == (1, 0, 0, 0)
    assert h[0][1] == "team"
    h = history(con, "edge-pay-churn")
    assert [(r[0], r[1]) for r in h] == [("free", "starter"), ("starter", "free")]
    assert (h[0][8].year, h[0][8].month) == (h[1][8].year, h[1][8].month)


def test_expansions(con):
    h = history(con, "edge-seat-exp")[-1]
    assert h[0] == h[1] == "starter" and h[5] > h[4] and h[3] > h[2] and h[6] == "self_serve"
    h = history(con, "edge-other-exp")[-1]
    tiers = dict(con.execute("SELECT plan_id, tier_rank FROM plans").fetchall())
    assert h[0] != h[1] and tiers[h[0]] == tiers[h[1]] and h[3] > h[2] and h[6] == "self_serve"
    h = history(con, "edge-tier-up")[-1]
    assert tiers[h[1]] > tiers[h[0]] > 0 and h[6] == "self_serve"
    h = history(con, "edge-downgrade")[-1]
    assert 0 < tiers[h[1]] < tiers[h[0]] and h[3] < h[2]


def test_user_missing_from_users_with_tied_activations(con):
    assert scalar(con, "SELECT count(*) FROM users WHERE user_id = 'edge-ghost-user'") == 0
    rows = con.execute(f"""SELECT event_id, account_id, occurred_at FROM product_events
        WHERE user_id = 'edge-ghost-user' AND event_name IN {ACTIVATION}
        ORDER BY occurred_at, event_id""").fetchall()
    (first_id, first_account, first_at), (_, second_account, second_at) = rows[:2]
    assert first_at == second_at and first_id == "edge-ghost-e1"
    # The tie's first event names the free account, whose id sorts after the paid one's.
    assert first_account == "edge-ghost-b-free" and second_account == "edge-ghost-a-paid" < first_account
    assert history(con, "edge-ghost-a-paid")[0][1] == "starter"
    assert history(con, "edge-ghost-b-free") == []


def test_exact_duplicates(con):
    for table in ("product_events", "subscription_changes", "upsell_purchases"):
        id_col = ID_COLUMN[table]
        raw_dupes = scalar(con, f"""SELECT count(*) FROM (SELECT {id_col} FROM raw_{table}
            GROUP BY 1 HAVING count(*) > 1)""")
        assert raw_dupes > 0, table
    # The same event once with Z and once with +02:00: one row after typing.
    texts = [r[0] for r in con.execute("""SELECT occurred_at FROM raw_product_events
        WHERE event_id = 'edge-offset-e3' ORDER BY 1""").fetchall()]
    assert len(texts) == 2 and texts[0] != texts[1]
    assert scalar(con, "SELECT count(*) FROM product_events WHERE event_id = 'edge-offset-e3'") == 1


def test_utc_offsets(con):
    seen = set()
    for table, col in TIME_COLUMN.items():
        offsets = {r[0] for r in con.execute(f"""SELECT DISTINCT right({col}, 6) FROM raw_{table}
            WHERE NOT {col} LIKE '%Z'""").fetchall()}
        assert offsets, table
        seen |= offsets
    assert {"+02:00", "-08:00", "+05:30"} <= seen
    act_text = scalar(con, """SELECT occurred_at FROM raw_product_events
        WHERE account_id = 'edge-offset' AND event_name = 'dashboard_built'""")
    chg_text = scalar(con, """SELECT changed_at FROM raw_subscription_changes
        WHERE account_id = 'edge-offset'""")
    assert act_text.endswith("-08:00") and chg_text.endswith("+05:30")
    act = instant(con, "SELECT occurred_at FROM product_events WHERE account_id = 'edge-offset' "
                       "AND event_name = 'dashboard_built'")
    chg = instant(con, "SELECT changed_at FROM changes WHERE account_id = 'edge-offset'")
    assert chg - act == 14 * 86_400
    # Local text in March, instant in April (or the like): the month is the UTC one.
    local, utc = con.execute("""SELECT r.occurred_at, e.occurred_at FROM raw_product_events r
        JOIN product_events e USING (event_id)
        WHERE r.account_id = 'edge-offset' AND r.event_name = 'pricing_page_viewed'""").fetchone()
    assert local.endswith("-08:00") and utc.day == 1 and utc.hour == 3
    assert scalar(con, "SELECT count(*) FROM raw_product_events WHERE occurred_at LIKE '%.250Z'") == 1


# ------------------------------------------------------------------- parquet, parts

def test_parquet_output_matches_csv(csv_data, tmp_path):
    out, counts, _ = csv_data
    pq_counts = gen.generate(tmp_path, accounts=ACCOUNTS, seed=42, fmt="parquet")
    assert pq_counts == counts
    pq = connect(tmp_path, "parquet")
    for table, columns in CONTRACT_COLUMNS.items():
        assert (tmp_path / f"{table}.parquet").is_file()
        described = [r[0] for r in pq.execute(f"DESCRIBE raw_{table}").fetchall()]
        assert described == columns, table
        cols = ", ".join(f"CAST({c} AS VARCHAR)" for c in columns)
        diff = scalar(pq, f"""SELECT count(*) FROM (
            SELECT {cols} FROM raw_{table}
            EXCEPT ALL SELECT {cols} FROM {table_source(out, table, 'csv')})""")
        assert diff == 0, table
    types = {r[0]: r[1] for r in pq.execute("DESCRIBE raw_subscription_changes").fetchall()}
    assert types["changed_at"] == "VARCHAR"


def test_event_parts_equal_single_file(csv_data, tmp_path, monkeypatch):
    out, counts, _ = csv_data
    monkeypatch.setattr(gen, "EVENTS_PER_PART", 20_000)
    parts = gen.generate(tmp_path, accounts=ACCOUNTS, seed=42, fmt="csv")
    assert parts == counts
    files = sorted((tmp_path / "product_events").glob("part-*.csv"))
    assert len(files) > 2 and not (tmp_path / "product_events.csv").exists()
    con = duckdb.connect()
    diff = scalar(con, f"""SELECT count(*) FROM (
        (SELECT * FROM {table_source(tmp_path, 'product_events', 'csv')}
         EXCEPT ALL SELECT * FROM {table_source(out, 'product_events', 'csv')})
        UNION ALL
        (SELECT * FROM {table_source(out, 'product_events', 'csv')}
         EXCEPT ALL SELECT * FROM {table_source(tmp_path, 'product_events', 'csv')}))""")
    assert diff == 0


def test_other_period(tmp_path):
    gen.generate(tmp_path, accounts=200, start="2024-07-01", months=18, fmt="csv")
    con = connect(tmp_path)
    low, high = con.execute("SELECT min(occurred_at), max(occurred_at) FROM product_events").fetchone()
    assert low >= dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
    assert high < dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError):
        gen.generate(tmp_path, fmt="json")
    with pytest.raises(ValueError):
        gen.generate(tmp_path, months=0)


# ------------------------------------------------------------------------- timing

def test_timing_50k_accounts(tmp_path):
    began = time.perf_counter()
    counts = gen.generate(tmp_path, accounts=50_000, fmt="parquet")
    elapsed = time.perf_counter() - began
    print(f"generate 50,000 accounts as parquet: {elapsed:.2f}s, "
          f"{counts['product_events']:,} events, {sum(counts.values()):,} rows")
    assert counts["product_events"] > 1_000_000
