-- fct_self_serve_upsell_revenue holds exactly the qualifying purchases of
-- int_upsell_purchases_classified (to the cent), in total and month by month: in-product
-- channel, a type that is not a team expansion, not sales-touched, refunds included.

with

purchases as (

    select * from {{ ref('int_upsell_purchases_classified') }}

),

upsell_revenue as (

    select * from {{ ref('fct_self_serve_upsell_revenue') }}

),

qualifying as (

    select * from purchases
    where channel = {{ string_var('self_serve_purchase_channel') }}
        and (upsell_type is null or not {{ is_in_string_list('upsell_type', 'team_expansion_upsell_types') }})
        and not is_sales_touched

),

qualifying_by_month as (

    select
        purchased_month as revenue_month,
        sum(amount) as qualifying_revenue,
        count(*) as qualifying_purchases

    from qualifying
    group by 1

),

mart_by_month as (

    select
        revenue_month,
        sum(upsell_revenue) as mart_revenue,
        sum(purchases) as mart_purchases

    from upsell_revenue
    group by 1

),

monthly_differences as (

    select
        'month' as compared_over,
        coalesce(mart_by_month.revenue_month, qualifying_by_month.revenue_month) as revenue_month,
        mart_by_month.mart_revenue,
        qualifying_by_month.qualifying_revenue

    from mart_by_month
    full outer join qualifying_by_month
        on mart_by_month.revenue_month = qualifying_by_month.revenue_month
    where mart_by_month.revenue_month is null
        or qualifying_by_month.revenue_month is null
        or abs(mart_by_month.mart_revenue - qualifying_by_month.qualifying_revenue) >= 0.005
        or mart_by_month.mart_purchases <> qualifying_by_month.qualifying_purchases

),

mart_total as (

    select sum(upsell_revenue) as mart_revenue from upsell_revenue

),

qualifying_total as (

    select sum(amount) as qualifying_revenue from qualifying

),

total_difference as (

    select
        'total' as compared_over,
        cast(null as date) as revenue_month,
        mart_total.mart_revenue,
        qualifying_total.qualifying_revenue

    from mart_total
    cross join qualifying_total
    where abs(coalesce(mart_total.mart_revenue, 0) - coalesce(qualifying_total.qualifying_revenue, 0)) >= 0.005

)

select * from monthly_differences
union all
select * from total_difference
