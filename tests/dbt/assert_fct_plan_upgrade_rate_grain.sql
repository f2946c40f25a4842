-- Grain of fct_plan_upgrade_rate: one row per (period_grain, period_start, from_plan_id).

select
    period_grain,
    period_start,
    from_plan_id,
    count(*) as rows_per_key

from {{ ref('fct_plan_upgrade_rate') }}
group by 1, 2, 3
having count(*) > 1
