"""Source freshness inside `plg build`: stale raw tables (newest row older than var
freshness_warn_after_hours) are named in a warning, the build still succeeds; fresh ones are not
mentioned."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from conftest import build

TINY = Path(__file__).parent / "data" / "tiny"


def test_stale_tables_are_named_and_the_build_goes_on(tmp_path: Path) -> None:
    result = build(TINY, tmp_path / "kpis.duckdb")
    assert result.returncode == 0
    warning = next(line for line in result.stderr.splitlines() if line.startswith("Warning: Stale input"))
    for table in ("product_events", "subscription_changes", "upsell_purchases"):
        assert f"the newest row of {table} is from 2025-" in warning
    for table in ("accounts", "users", "plans", "sales_touches"):  # no freshness rule
        assert table not in warning
    assert "more than 36)" in warning
    assert "1 warning" in result.stdout


def test_fresh_tables_are_not_mentioned(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(TINY, raw)
    an_hour_ago = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    two_days_ago = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=49)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = {
        "product_events.csv": f"e-fresh,u1,a1,report_shared,{an_hour_ago}\n",
        "subscription_changes.csv": f"c-fresh,a1,u1,{an_hour_ago},team,team,199,199,1,1,self_serve\n",
        "upsell_purchases.csv": f"p-fresh,a1,u1,{two_days_ago},feature_pack,1.00,in_product\n",
    }
    for name, row in rows.items():
        with open(raw / name, "a", encoding="utf-8") as handle:
            handle.write(row)
    result = build(raw, tmp_path / "kpis.duckdb")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    # Purchases are 49 hours old: stale at the default 36 hours, fresh when 72 are allowed.
    assert len(warnings) == 1 and "upsell_purchases" in warnings[0], warnings
    assert "product_events" not in warnings[0] and "subscription_changes" not in warnings[0]

    result = build(raw, tmp_path / "kpis.duckdb", "--vars", json.dumps({"freshness_warn_after_hours": 72}))
    assert not [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert "warning" not in result.stdout
