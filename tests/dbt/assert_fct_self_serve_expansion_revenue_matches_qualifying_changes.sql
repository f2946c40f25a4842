-- fct_self_serve_expansion_revenue holds exactly the MRR increase of the qualifying changes of
-- int_subscription_changes_classified (to the cent), month by month: from a paid plan, MRR up,
-- the self-serve channel, not sales-touched. Every group's revenue is positive.

with

changes as (

    select * from {{ ref('int_subscription_changes_classified') }}

),

expansion_revenue as (

    select * from {{ ref('fct_self_serve_expansion_revenue') }}

),

qualifying_by_month as (

    select
        changed_month as revenue_month,
        sum(mrr_after - mrr_before) as qualifying_revenue,
        count(*) as qualifying_changes

    from changes
    where is_from_paid_plan
        and mrr_after > mrr_before
        and channel = {{ string_var('self_serve_change_channel') }}
        and not is_sales_touched
    group by 1

),

mart_by_month as (

    select
        revenue_month,
        sum(expansion_revenue) as mart_revenue,
        sum(expansions) as mart_changes,
        min(expansion_revenue) as smallest_group_revenue

    from expansion_revenue
    group by 1

)

select
    coalesce(mart_by_month.revenue_month, qualifying_by_month.revenue_month) as revenue_month,
    mart_by_month.mart_revenue,
    qualifying_by_month.qualifying_revenue,
    mart_by_month.smallest_group_revenue

from mart_by_month
full outer join qualifying_by_month
    on mart_by_month.revenue_month = qualifying_by_month.revenue_month
where mart_by_month.revenue_month is null
    or qualifying_by_month.revenue_month is null
    or abs(mart_by_month.mart_revenue - qualifying_by_month.qualifying_revenue) >= 0.005
    or mart_by_month.mart_changes <> qualifying_by_month.qualifying_changes
    or mart_by_month.smallest_group_revenue <= 0
