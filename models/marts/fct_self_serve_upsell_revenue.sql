-- Self-serve upsell revenue by month and upsell type: in-product purchases, less refunds in the
-- month they happen, excluding team expansions (var team_expansion_upsell_types) and anything
-- sales-touched. One row per (month, type) with at least one purchase that counts.

with

purchases as (

    select * from {{ ref('int_upsell_purchases_classified') }}

),

counted as (

    select * from purchases
    where is_self_serve
        and not is_team_expansion
        and not is_sales_touched

),

final as (

    select
        purchased_month as revenue_month,
        upsell_type,
        sum(amount) as upsell_revenue,
        count(*) as purchases

    from counted
    group by 1, 2

)

select * from final
