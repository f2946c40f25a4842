-- Self-serve expansion revenue by month and expansion type: the MRR increase of self-serve,
-- not sales-touched changes from a paid plan. One row per (month, type) with such a change.

with

changes as (

    select * from {{ ref('int_subscription_changes_classified') }}

),

final as (

    select
        changed_month as revenue_month,
        expansion_type,
        sum(mrr_after - mrr_before) as expansion_revenue,
        count(*) as expansions

    from changes
    where is_self_serve_expansion
    group by 1, 2

)

select * from final
