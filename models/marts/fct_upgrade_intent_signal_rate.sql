-- Upgrade-intent signal rate by month: of the users active on a free plan that month, the
-- share who triggered at least one upgrade-intent event while on it. Every month with a
-- product event has a row; one with no free-plan activity has a NULL rate.

with

user_months as (

    select * from {{ ref('int_users_active_monthly') }}

),

monthly as (

    select
        activity_month,
        sum(case when is_active_on_free_plan then 1 else 0 end) as active_free_users,
        sum(case when has_upgrade_intent_signal then 1 else 0 end) as signaled_users

    from user_months
    group by 1

),

final as (

    select
        activity_month,
        active_free_users,
        signaled_users,
        {{ percentage('signaled_users', 'active_free_users') }} as signal_rate_pct

    from monthly

)

select * from final
