-- Grain of int_users_active_monthly: one row per (user_id, activity_month). The rows of a month
-- change only when a build rebuilds it, so the months from
-- int_event_models_reload.activity_reload_from on are checked: every month on a first build or
-- a full refresh, none when nothing changed; the others were checked when they were built.

with

user_months as (

    select * from {{ ref('int_users_active_monthly') }}

),

reload as (

    select * from {{ ref('int_event_models_reload') }}

),

rebuilt_user_months as (

    select user_months.*
    from user_months
    where user_months.activity_month >= (select reload.activity_reload_from from reload)

)

select
    user_id,
    activity_month,
    count(*) as rows_per_key

from rebuilt_user_months
group by 1, 2
having count(*) > 1
