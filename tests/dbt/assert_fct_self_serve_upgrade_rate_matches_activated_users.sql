-- fct_self_serve_upgrade_rate is the monthly aggregate of fct_activated_users: a row for every
-- activation month, the free-plan activations as the denominator, those of them who upgraded
-- within the window as the numerator, those whose window is still open as open_window_users.

with

activated_users as (

    select * from {{ ref('fct_activated_users') }}

),

upgrade_rate as (

    select * from {{ ref('fct_self_serve_upgrade_rate') }}

),

aggregated as (

    select
        activation_month,
        sum(case when is_on_free_plan_at_activation then 1 else 0 end) as activated_users,
        sum(case when is_on_free_plan_at_activation and has_upgraded_within_window then 1 else 0 end) as upgraded_users,
        sum(case when is_on_free_plan_at_activation and not is_window_closed then 1 else 0 end) as open_window_users

    from activated_users
    group by 1

)

select
    coalesce(upgrade_rate.activation_month, aggregated.activation_month) as activation_month,
    upgrade_rate.activated_users as mart_activated_users,
    aggregated.activated_users as aggregated_activated_users,
    upgrade_rate.upgraded_users as mart_upgraded_users,
    aggregated.upgraded_users as aggregated_upgraded_users,
    upgrade_rate.open_window_users as mart_open_window_users,
    aggregated.open_window_users as aggregated_open_window_users

from upgrade_rate
full outer join aggregated
    on upgrade_rate.activation_month = aggregated.activation_month
where upgrade_rate.activation_month is null
    or aggregated.activation_month is null
    or upgrade_rate.activated_users <> aggregated.activated_users
    or upgrade_rate.upgraded_users <> aggregated.upgraded_users
    or upgrade_rate.open_window_users <> aggregated.open_window_users
    or upgrade_rate.is_provisional <> (aggregated.open_window_users > 0)
