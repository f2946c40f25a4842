-- fct_upgrade_intent_signal_rate has a row for every UTC calendar month with a product event
-- (the staged days: stg_product__events_days), and no other, and never counts more active free
-- users than the month has users with events (int_users_active_monthly: one row per user and
-- month with an event). Both read small summaries, not the events again.

with

event_days as (

    select * from {{ ref('stg_product__events_days') }}

),

user_months as (

    select * from {{ ref('int_users_active_monthly') }}

),

signal_rate as (

    select * from {{ ref('fct_upgrade_intent_signal_rate') }}

),

event_months as (

    select distinct
        {{ period_start('month', 'occurred_on') }} as activity_month

    from event_days

),

users_per_month as (

    select
        activity_month,
        count(*) as users_with_events

    from user_months
    group by 1

),

expected as (

    select
        event_months.activity_month,
        coalesce(users_per_month.users_with_events, 0) as users_with_events

    from event_months
    left join users_per_month
        on event_months.activity_month = users_per_month.activity_month

)

select
    coalesce(signal_rate.activity_month, expected.activity_month) as activity_month,
    signal_rate.active_free_users,
    expected.users_with_events

from signal_rate
full outer join expected
    on signal_rate.activity_month = expected.activity_month
where signal_rate.activity_month is null
    or expected.activity_month is null
    or signal_rate.active_free_users > expected.users_with_events
