"""How the terminal report writes a cell: what a reader sees, whatever type the mart holds."""

import datetime as dt
from decimal import Decimal

import pytest

from plg.formatting import display_value


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        # arpa is a double in the mart (a ratio of money): shown to the cent like any money.
        ("arpa", 139.66666666666666, "139.67"),
        ("arpa", 1234567.5, "1,234,567.50"),
        ("arpa", None, "-"),
        ("ending_mrr", Decimal("1999.50"), "1,999.50"),
        ("upgrade_rate_pct", 12.345, "12.3%"),
        ("upgrade_rate_pct", None, "-"),
        ("paying_accounts", 12500, "12,500"),
        ("is_paying_at_end", True, "yes"),
        ("revenue_month", dt.date(2025, 3, 1), "2025-03-01"),
        ("plan_id", None, ""),
        ("plan_id", "pro", "pro"),
    ],
)
def test_a_cell_is_shown_as_a_person_reads_it(column, value, shown) -> None:
    assert display_value(column, value) == shown
