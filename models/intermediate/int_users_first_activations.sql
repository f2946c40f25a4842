-- One row per user with an activation event: the first one (its instant and the account it
-- happened in). Of two at one instant, the smaller event_id in byte order is the first (the
-- account matters only for a user missing from users, int_users_activated).
-- Incremental, by activation month: a build rebuilds the months from
-- int_event_models_reload.activations_reload_from on. A user whose first activation is earlier
-- keeps it (later events cannot move it); the others are found again among the events from
-- that month on. On the engines that can only replace partitions (Spark, BigQuery), a table:
-- replacing partitions could not take a user out of the month a late, earlier activation moves
-- them from.
{{ config(
    materialized='table' if replaces_partitions() else 'incremental',
    incremental_strategy=event_incremental_strategy(),
    on_schema_change='fail',
    reload_column='activation_month',
    reload_from='int_event_models_reload.activations_reload_from',
) }}

{#- An incremental build ranks the activation events from the reload month on, of the users
    not already activated before it (the rows this table keeps: nothing before the reload month
    changed, so neither did they); a full build ranks them all. -#}
{%- set reload_month = '(select activations_reload_from from ' ~ ref('int_event_models_reload') ~ ')' %}
{%- set is_from_reload = 'activation_events.occurred_at >= ' ~ reload_month if is_incremental() else '1 = 1' %}
{%- set activated_before = 'select user_id from ' ~ this ~ ' where activation_month < ' ~ reload_month
    if is_incremental() else 'select user_id from activation_events where 1 = 0' %}

with

events as (

    select * from {{ ref('stg_product__events') }}

),

activation_events as (

    select
        event_id,
        user_id,
        account_id,
        occurred_at

    from events
    where {{ is_in_string_list('event_name', 'activation_events') }}

),

users_activated_before as (

    {{ activated_before }}

),

to_rank as (

    select activation_events.*
    from activation_events
    left join users_activated_before
        on activation_events.user_id = users_activated_before.user_id
    where {{ is_from_reload }}
        and users_activated_before.user_id is null

),

ranked as (

    select
        user_id,
        account_id,
        occurred_at,
        row_number() over (
            partition by user_id
            order by occurred_at, {{ binary_text('event_id') }}
        ) as activation_order

    from to_rank

),

final as (

    select
        user_id,
        account_id,
        occurred_at as activated_at,
        {{ period_start('month', 'occurred_at') }} as activation_month

    from ranked
    where activation_order = 1

)

select * from final
