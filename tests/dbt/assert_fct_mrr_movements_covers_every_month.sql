-- fct_mrr_movements has one row for every month from the first subscription change's month to
-- the last's: the first and last months match, and there are as many rows as months between.

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

expected as (

    select
        {{ period_start('month', 'min(changed_at)') }} as first_month,
        {{ period_start('month', 'max(changed_at)') }} as last_month

    from changes

),

actual as (

    select
        min(revenue_month) as first_month,
        max(revenue_month) as last_month,
        count(*) as months

    from movements

)

select
    expected.first_month as expected_first_month,
    expected.last_month as expected_last_month,
    actual.first_month,
    actual.last_month,
    actual.months

from expected
cross join actual
where actual.first_month <> expected.first_month
    or actual.last_month <> expected.last_month
    or actual.months <> 1 + {{ dbt.datediff('expected.first_month', 'expected.last_month', 'month') }}
    or (expected.first_month is null and actual.months > 0)
    or (expected.first_month is not null and actual.months = 0)
