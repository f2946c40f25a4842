"""The revenue metric tree of one month, laid out for a person (or as JSON for a machine).

Every value is read from the marts (fct_revenue_metric_tree and fct_plan_upgrade_rate); this
module only arranges them as a tree and shows each beside the previous month's value.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from plg.marts import MartReader


@dataclass
class Node:
    label: str
    kind: str  # "money", "pct", "count"
    value: Any
    previous: Any
    detail: str = ""
    children: list["Node"] = field(default_factory=list)

    @property
    def change(self) -> Any:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    def as_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            return float(value) if isinstance(value, Decimal) else value

        return {
            "label": self.label, "kind": self.kind, "value": plain(self.value), "previous": plain(self.previous),
            "change": plain(self.change), "detail": self.detail, "children": [child.as_dict() for child in self.children],
        }


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - 1, 12, 1) if month.month == 1 else dt.date(month.year, month.month - 1, 1)


def available_months(reader: MartReader) -> list[dt.date]:
    _, rows = reader.query(f"select revenue_month from {reader.table_name('fct_revenue_metric_tree')} order by 1")
    return [row[0] for row in rows]


def default_month(months: list[dt.date]) -> dt.date:
    """The latest complete month: the data's last month is still running, so the one before it."""
    return months[-2] if len(months) > 1 else months[-1]


def build_tree(reader: MartReader, month: dt.date) -> Node:
    """The metric tree of `month`, each node with the previous month's value."""
    def tree_row(wanted: dt.date) -> dict[str, Any]:
        names, rows = reader.query(
            f"select * from {reader.table_name('fct_revenue_metric_tree')} where revenue_month = ?", [wanted])
        return dict(zip(names, rows[0])) if rows else {}

    def plan_rows(wanted: dt.date) -> dict[str, dict[str, Any]]:
        _, rows = reader.query(
            f"select from_plan_id, subscribers_at_start, upgraded_subscribers, upgrade_rate_pct "
            f"from {reader.table_name('fct_plan_upgrade_rate')} where period_grain = 'month' and period_start = ? order by 1",
            [wanted])
        return {row[0]: {"subscribers": row[1], "upgraded": row[2], "rate": row[3]} for row in rows}

    this, before = tree_row(month), tree_row(previous_month(month))
    plans, plans_before = plan_rows(month), plan_rows(previous_month(month))

    def node(label: str, column: str, kind: str, detail: str = "", children: list[Node] | None = None) -> Node:
        return Node(label, kind, this.get(column), before.get(column), detail, children or [])

    plan_nodes = [
        Node(f"from {plan_id}", "pct", figures["rate"], plans_before.get(plan_id, {}).get("rate"),
             f"{figures['upgraded']:,} of {figures['subscribers']:,} subscribers")
        for plan_id, figures in plans.items()
    ]
    upgrade_rate = node(
        "Plan upgrade rate", "plan_upgrade_rate_pct", "pct",
        f"{this.get('upgraded_subscribers', 0):,} of {this.get('paid_subscribers_at_start', 0):,} paid subscribers moved up a tier",
        plan_nodes,
    )
    self_serve = node("Self-serve expansion revenue", "self_serve_expansion_revenue", "money", "", [
        node("tier upgrades", "tier_upgrade_revenue", "money"),
        node("seat expansions", "seat_expansion_revenue", "money"),
        node("other expansions", "other_expansion_revenue", "money"),
    ])
    bridge = node("Ending MRR", "ending_mrr", "money", "starting + new + reactivation + expansion - contraction - churned", [
        node("Starting MRR", "starting_mrr", "money"),
        node("+ New MRR", "new_mrr", "money"),
        node("+ Reactivation MRR", "reactivation_mrr", "money"),
        node("+ Expansion MRR", "expansion_mrr", "money", "all channels", [upgrade_rate, self_serve]),
        node("- Contraction MRR", "contraction_mrr", "money"),
        node("- Churned MRR", "churned_mrr", "money"),
    ])
    retention = node("Net revenue retention", "nrr_pct", "pct", "the previous month's payers, expansion included", [
        node("Gross revenue retention", "grr_pct", "pct", "capped at their starting MRR"),
    ])
    arpa = node("ARPA", "arpa", "money", "ending MRR per paying account", [
        node("Paying accounts", "paying_accounts", "count"),
    ])
    return Node(f"Revenue metric tree, {month:%B %Y}", "title", None, None, "", [bridge, retention, arpa])


def _format(kind: str, value: Any) -> str:
    if value is None:
        return "-"
    if kind == "pct":
        return f"{float(value):.1f}%"
    if kind == "count":
        return f"{int(value):,}"
    return f"{float(value):,.2f}"


def _format_change(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "pct":
        return f"{float(value):+.1f} pts"
    if kind == "count":
        return f"{int(value):+,}"
    return f"{float(value):+,.2f}"


def render_tree(root: Node, markdown: bool = False) -> str:
    """Box-drawn tree: label, this month, previous month, change."""
    lines: list[tuple[str, Node]] = []

    def walk(node: Node, prefix: str, is_last: bool, depth: int) -> None:
        connector = "" if depth == 0 else ("└─ " if is_last else "├─ ")
        lines.append((prefix + connector + node.label, node))
        child_prefix = prefix + ("" if depth == 0 else ("   " if is_last else "│  "))
        for index, child in enumerate(node.children):
            walk(child, child_prefix, index == len(node.children) - 1, depth + 1)

    for index, child in enumerate(root.children):
        walk(child, "", index == len(root.children) - 1, 0)
    width = max(len(text) for text, _ in lines) + 2
    header = f"{'':<{width}}{'this month':>14}{'previous':>14}{'change':>14}"
    out = [root.label, "=" * len(root.label), header]
    for text, node in lines:
        out.append(f"{text:<{width}}{_format(node.kind, node.value):>14}{_format(node.kind, node.previous):>14}"
                   f"{_format_change(node.kind, node.change):>14}" + (f"   {node.detail}" if node.detail else ""))
    text = "\n".join(out)
    return f"```\n{text}\n```" if markdown else text


def render_json(root: Node) -> str:
    return json.dumps(root.as_dict(), indent=2)
