-- Plan upgrade rate by month and by quarter, per originating plan: of the accounts on a paid
-- plan at the period's first instant, the share that moved to a paid plan of higher tier
-- during the period (on any channel).

with

periods as (

    select * from {{ ref('int_billing_periods') }}

),

paid_plan_spans as (

    select * from {{ ref('int_account_plans_spanned') }}
    where is_paid

),

changes as (

    select * from {{ ref('int_subscription_changes_classified') }}

),

subscribers_at_start as (

    select
        periods.period_grain,
        periods.period_start,
        paid_plan_spans.account_id,
        paid_plan_spans.plan_id as from_plan_id

    from periods
    inner join paid_plan_spans
        on {{ is_in_force('paid_plan_spans', 'periods.period_started_at') }}

),

upgrades as (

    select
        'month' as period_grain,
        changed_month as period_start,
        account_id

    from changes
    where is_paid_tier_upgrade

    union

    select
        'quarter' as period_grain,
        changed_quarter as period_start,
        account_id

    from changes
    where is_paid_tier_upgrade

),

per_plan as (

    select
        subscribers_at_start.period_grain,
        subscribers_at_start.period_start,
        subscribers_at_start.from_plan_id,
        count(*) as subscribers_at_start,
        sum(case when upgrades.account_id is not null then 1 else 0 end) as upgraded_subscribers

    from subscribers_at_start
    left join upgrades
        on subscribers_at_start.period_grain = upgrades.period_grain
        and subscribers_at_start.period_start = upgrades.period_start
        and subscribers_at_start.account_id = upgrades.account_id
    group by 1, 2, 3

),

final as (

    select
        period_grain,
        from_plan_id,
        subscribers_at_start,
        upgraded_subscribers,
        {{ percentage('upgraded_subscribers', 'subscribers_at_start') }} as upgrade_rate_pct,
        period_start

    from per_plan

)

select * from final
