-- In fct_activated_users a user has upgraded exactly when upgraded_at is set, and upgraded_at
-- is the instant of a self-serve conversion the user initiated, inside the window
-- (activated_at <= upgraded_at <= activated_at + window, both ends included).

with

activated_users as (

    select * from {{ ref('fct_activated_users') }}

),

changes as (

    select * from {{ ref('int_subscription_changes_classified') }}

)

select
    activated_users.user_id,
    activated_users.has_upgraded_within_window,
    activated_users.activated_at,
    activated_users.upgraded_at

from activated_users
where activated_users.has_upgraded_within_window <> (activated_users.upgraded_at is not null)
    or activated_users.upgraded_at < activated_users.activated_at
    or activated_users.upgraded_at > {{ dbt.dateadd('day', days_var('activation_window_days'), 'activated_users.activated_at') }}
    or (
        activated_users.upgraded_at is not null
        and not exists (
            select 1
            from changes
            where changes.initiated_by_user_id = activated_users.user_id
                and changes.changed_at = activated_users.upgraded_at
                and changes.is_self_serve_conversion
        )
    )
