-- The revenue metric tree, one row per month of the month spine: how tier migration (plan
-- upgrade rate) and self-serve expansion turn into expansion MRR, and how the MRR bridge, NRR,
-- GRR and ARPA follow. Every value comes from the marts that define it; this model only lines
-- them up by month so a month can be read (and compared with the previous one) at a glance.

with

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

retention as (

    select * from {{ ref('fct_net_revenue_retention') }}

),

arpa as (

    select * from {{ ref('fct_arpa') }}

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
        sum(expansion_revenue) as self_serve_expansion_revenue,
        sum(case when expansion_type = 'tier_upgrade' then expansion_revenue else 0 end) as tier_upgrade_revenue,
        sum(case when expansion_type = 'seat_expansion' then expansion_revenue else 0 end) as seat_expansion_revenue,
        sum(case when expansion_type = 'other_expansion' then expansion_revenue else 0 end) as other_expansion_revenue

    from expansion_revenue
    group by 1

),

plan_upgrades_by_month as (

    select
        period_start as revenue_month,
        sum(subscribers_at_start) as paid_subscribers_at_start,
        sum(upgraded_subscribers) as upgraded_subscribers

    from plan_upgrades
    group by 1

),

final as (

    select
        movements.revenue_month,
        coalesce(plan_upgrades_by_month.paid_subscribers_at_start, 0) as paid_subscribers_at_start,
        coalesce(plan_upgrades_by_month.upgraded_subscribers, 0) as upgraded_subscribers,
        {{ percentage(
            'plan_upgrades_by_month.upgraded_subscribers',
            'plan_upgrades_by_month.paid_subscribers_at_start'
        ) }} as plan_upgrade_rate_pct,
        coalesce(expansion_by_month.self_serve_expansion_revenue, 0) as self_serve_expansion_revenue,
        coalesce(expansion_by_month.tier_upgrade_revenue, 0) as tier_upgrade_revenue,
        coalesce(expansion_by_month.seat_expansion_revenue, 0) as seat_expansion_revenue,
        coalesce(expansion_by_month.other_expansion_revenue, 0) as other_expansion_revenue,
        movements.starting_mrr,
        movements.new_mrr,
        movements.reactivation_mrr,
        movements.expansion_mrr,
        movements.contraction_mrr,
        movements.churned_mrr,
        movements.ending_mrr,
        retention.nrr_pct,
        retention.grr_pct,
        arpa.paying_accounts,
        arpa.arpa

    from movements
    left join retention
        on movements.revenue_month = retention.revenue_month
    left join arpa
        on movements.revenue_month = arpa.revenue_month
    left join expansion_by_month
        on movements.revenue_month = expansion_by_month.revenue_month
    left join plan_upgrades_by_month
        on movements.revenue_month = plan_upgrades_by_month.revenue_month

)

select * from final
