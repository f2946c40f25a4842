-- One row per user and calendar month in which the user had a product event: whether any of
-- those events happened while the event's account was on a non-paid plan in force, and whether
-- any such event was an upgrade-intent event. This is where the event table is reduced.
-- Incremental, by month: a build rebuilds the months from
-- int_event_models_reload.activity_reload_from on (the months whose events, or whose accounts'
-- paid plan history, changed).
{{ config(
    materialized='incremental',
    incremental_strategy=event_incremental_strategy(),
    on_schema_change='fail',
    partition_by=event_partition_by('activity_month', granularity='month'),
    reload_column='activity_month',
    reload_from='int_event_models_reload.activity_reload_from',
) }}

-- depends_on: {{ ref('int_event_models_reload') }}

with

events as (

    select * from {{ ref('stg_product__events') }}

    {% if is_incremental() -%}
    where occurred_at >= (select activity_reload_from from {{ ref('int_event_models_reload') }})
    {%- endif %}

),

paid_plan_spans as (

    select * from {{ ref('int_account_plans_spanned') }}
    where is_paid

),

events_with_plan as (

    select
        events.user_id,
        events.event_name,
        -- Spans of one account never overlap, so at most one paid span matches an event.
        paid_plan_spans.account_id is null as is_on_free_plan,
        {{ period_start('month', 'events.occurred_at') }} as activity_month

    from events
    left join paid_plan_spans
        on events.account_id = paid_plan_spans.account_id
        and {{ is_in_force('paid_plan_spans', 'events.occurred_at') }}

),

user_months as (

    select
        user_id,
        activity_month,
        max(case when is_on_free_plan then 1 else 0 end) = 1 as is_active_on_free_plan,
        max(
            case when is_on_free_plan and {{ is_in_string_list('event_name', 'upgrade_intent_events') }} then 1 else 0 end
        ) = 1 as has_upgrade_intent_signal

    from events_with_plan
    group by 1, 2

)

select * from user_months
