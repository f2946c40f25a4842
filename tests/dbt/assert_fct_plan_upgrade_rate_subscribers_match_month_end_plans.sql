-- The plan upgrade rate's subscribers agree with the month-end plans of fct_account_mrr_monthly:
-- - a month's subscribers_at_start on a plan are the accounts whose plan at the previous month's
--   end is that paid plan (none in the spine's first month, before which no change is in force);
-- - a quarter's subscribers_at_start are those of its first month, and its upgraded
--   subscribers at least that month's.

with

plan_upgrade_rate as (

    select * from {{ ref('fct_plan_upgrade_rate') }}

),

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

plans as (

    select * from {{ ref('stg_billing__plans') }}

),

last_month as (

    select max(revenue_month) as revenue_month from account_months

),

expected_month_subscribers as (

    select
        cast({{ dbt.dateadd('month', 1, 'account_months.revenue_month') }} as date) as period_start,
        account_months.plan_id as from_plan_id,
        count(*) as subscribers_at_start

    from account_months
    inner join plans
        on account_months.plan_id = plans.plan_id
    cross join last_month
    where plans.is_paid
        and account_months.revenue_month < last_month.revenue_month
    group by 1, 2

),

month_rows as (

    select * from plan_upgrade_rate
    where period_grain = 'month'

),

quarter_rows as (

    select * from plan_upgrade_rate
    where period_grain = 'quarter'

),

month_differences as (

    select
        'month' as period_grain,
        coalesce(month_rows.period_start, expected_month_subscribers.period_start) as period_start,
        coalesce(month_rows.from_plan_id, expected_month_subscribers.from_plan_id) as from_plan_id,
        month_rows.subscribers_at_start,
        expected_month_subscribers.subscribers_at_start as expected_subscribers_at_start

    from month_rows
    full outer join expected_month_subscribers
        on month_rows.period_start = expected_month_subscribers.period_start
        and month_rows.from_plan_id = expected_month_subscribers.from_plan_id
    where month_rows.period_start is null
        or expected_month_subscribers.period_start is null
        or month_rows.subscribers_at_start <> expected_month_subscribers.subscribers_at_start

),

quarter_first_month_rows as (

    select * from month_rows
    where period_start = cast({{ dbt.date_trunc('quarter', 'period_start') }} as date)

),

quarter_differences as (

    select
        'quarter' as period_grain,
        coalesce(quarter_rows.period_start, quarter_first_month_rows.period_start) as period_start,
        coalesce(quarter_rows.from_plan_id, quarter_first_month_rows.from_plan_id) as from_plan_id,
        quarter_rows.subscribers_at_start,
        quarter_first_month_rows.subscribers_at_start as expected_subscribers_at_start

    from quarter_rows
    full outer join quarter_first_month_rows
        on quarter_rows.period_start = quarter_first_month_rows.period_start
        and quarter_rows.from_plan_id = quarter_first_month_rows.from_plan_id
    where quarter_rows.period_start is null
        or quarter_first_month_rows.period_start is null
        or quarter_rows.subscribers_at_start <> quarter_first_month_rows.subscribers_at_start
        or quarter_rows.upgraded_subscribers < quarter_first_month_rows.upgraded_subscribers

)

select * from month_differences
union all
select * from quarter_differences
