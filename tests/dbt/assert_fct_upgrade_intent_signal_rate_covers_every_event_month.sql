-- fct_upgrade_intent_signal_rate has a row for every UTC calendar month with a product event,
-- and no other, and never counts more active users than the month has users with events.

with

events as (

    select * from {{ ref('stg_product__events') }}

),

signal_rate as (

    select * from {{ ref('fct_upgrade_intent_signal_rate') }}

),

event_months as (

    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as activity_month,
        count(distinct user_id) as users_with_events

    from events
    group by 1

)

select
    coalesce(signal_rate.activity_month, event_months.activity_month) as activity_month,
    signal_rate.active_free_users,
    event_months.users_with_events

from signal_rate
full outer join event_months
    on signal_rate.activity_month = event_months.activity_month
where signal_rate.activity_month is null
    or event_months.activity_month is null
    or signal_rate.active_free_users > event_months.users_with_events
