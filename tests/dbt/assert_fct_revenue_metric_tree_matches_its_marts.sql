-- fct_revenue_metric_tree lines up the marts without losing or changing a value: one row per
-- month of fct_mrr_movements with its ending MRR; the expansion revenue split adds up to the
-- total, which is fct_self_serve_expansion_revenue's for the month (and no expansion month
-- falls outside the tree); the subscribers are fct_plan_upgrade_rate's month-grain sums.

with

tree as (

    select * from {{ ref('fct_revenue_metric_tree') }}

),

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

expansion_revenue as (

    select * from {{ ref('fct_self_serve_expansion_revenue') }}

),

plan_upgrades as (

    select * from {{ ref('fct_plan_upgrade_rate') }}
    where period_grain = 'month'

),

expansion_by_month as (

    select
        revenue_month,
        sum(expansion_revenue) as expansion_revenue

    from expansion_revenue
    group by 1

),

subscribers_by_month as (

    select
        period_start as revenue_month,
        sum(subscribers_at_start) as subscribers_at_start,
        sum(upgraded_subscribers) as upgraded_subscribers

    from plan_upgrades
    group by 1

),

month_differences as (

    select
        coalesce(tree.revenue_month, movements.revenue_month, expansion_by_month.revenue_month) as revenue_month,
        tree.revenue_month is null as is_missing_from_tree,
        movements.revenue_month is null as is_missing_from_movements

    from tree
    full outer join movements
        on tree.revenue_month = movements.revenue_month
    full outer join expansion_by_month
        on coalesce(tree.revenue_month, movements.revenue_month) = expansion_by_month.revenue_month
    left join subscribers_by_month
        on tree.revenue_month = subscribers_by_month.revenue_month
    where tree.revenue_month is null
        or movements.revenue_month is null
        or abs(tree.ending_mrr - movements.ending_mrr) >= 0.005
        or abs(
            tree.self_serve_expansion_revenue
            - (tree.tier_upgrade_revenue + tree.seat_expansion_revenue + tree.other_expansion_revenue)
        ) >= 0.005
        or abs(tree.self_serve_expansion_revenue - coalesce(expansion_by_month.expansion_revenue, 0)) >= 0.005
        or tree.paid_subscribers_at_start <> coalesce(subscribers_by_month.subscribers_at_start, 0)
        or tree.upgraded_subscribers <> coalesce(subscribers_by_month.upgraded_subscribers, 0)

)

select * from month_differences
