-- Grain of int_billing_periods: one row per (period_grain, period_start).

select
    period_grain,
    period_start,
    count(*) as rows_per_key

from {{ ref('int_billing_periods') }}
group by 1, 2
having count(*) > 1
