-- Each month's starting MRR is the previous month's ending MRR (to the cent), the months follow
-- one another without a gap, and the first month starts from 0: before the first subscription
-- change no account is on a paid plan.

with

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

with_previous as (

    select
        revenue_month,
        starting_mrr,
        lag(ending_mrr) over (order by revenue_month) as previous_ending_mrr,
        lag(revenue_month) over (order by revenue_month) as previous_month,
        cast({{ dbt.dateadd('month', -1, 'revenue_month') }} as date) as expected_previous_month

    from movements

)

select * from with_previous
where abs(starting_mrr - coalesce(previous_ending_mrr, 0)) >= 0.005
    or previous_month <> expected_previous_month
