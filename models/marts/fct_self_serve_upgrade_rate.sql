-- Self-serve upgrade rate by activation month: of the users who activated that month while
-- their account was on a free plan, the share who upgraded self-serve within the window.
-- A month in which users activated only on paid plans shows 0 activated users and a NULL rate.
-- `open_window_users` counts those whose window had not yet closed: the month is provisional.

with

activated_users as (

    select * from {{ ref('fct_activated_users') }}

),

monthly as (

    select
        activation_month,
        sum(case when is_on_free_plan_at_activation then 1 else 0 end) as activated_users,
        sum(case when is_on_free_plan_at_activation and has_upgraded_within_window then 1 else 0 end) as upgraded_users,
        sum(case when is_on_free_plan_at_activation and not is_window_closed then 1 else 0 end) as open_window_users

    from activated_users
    group by 1

),

final as (

    select
        activation_month,
        activated_users,
        upgraded_users,
        {{ percentage('upgraded_users', 'activated_users') }} as upgrade_rate_pct,
        open_window_users,
        open_window_users > 0 as is_provisional

    from monthly

)

select * from final
