-- One row: the first month from which each incremental event model must be rebuilt, found by
-- comparing what they depend on now with what they were last built from
-- (int_event_models_applied_days and int_event_models_applied_plans, written after them):
-- - the staged events, day by day (stg_product__events_days: count and sum of row
--   fingerprints of the raw rows): a late event of any age reloads its month and every later
--   one;
-- - for the monthly activity, which judges each event on the plan in force, also the instants
--   accounts start and stop being on a paid plan: a change to an account's plan history
--   reloads from the month of the first instant that differs;
-- - the settings they are computed with (the activation and upgrade-intent event names): a
--   change reloads everything.
-- After a full refresh, or when what they were last built from is unknown, everything is
-- reloaded. When nothing changed, the month after the last staged event's: nothing to rebuild.
-- A month rather than NULL, so that the engine skips every stored event by its min/max
-- statistics; a comparison with NULL selects no row too, but DuckDB reads them all to find out.
{{ config(materialized='table') }}

{%- set applied_days = existing_model_relation('int_event_models_applied_days') %}
{%- set applied_plans = existing_model_relation('int_event_models_applied_plans') %}
{%- set knows_last_build = applied_days is not none and applied_plans is not none and not flags.FULL_REFRESH %}

{%- set current_days = 'select occurred_on, event_rows, fingerprint, ' ~ event_model_settings() ~ ' as model_settings from '
    ~ ref('stg_product__events_days') %}
{%- set current_plans = paid_plan_boundaries(ref('int_account_plans_spanned')) %}
{#- Without a last build to compare with, nothing is compared: everything is reloaded. -#}
{%- set last_days = 'select occurred_on, event_rows, fingerprint, model_settings from ' ~ applied_days
    if knows_last_build else 'select * from (' ~ current_days ~ ') as none_yet where 1 = 0' %}
{%- set last_plans = 'select changed_at, account_id, boundary from ' ~ applied_plans
    if knows_last_build else 'select * from (' ~ current_plans ~ ') as none_yet where 1 = 0' %}
{%- set changed_days_sql = reload_from(current_days, last_days, 'occurred_on') %}
{%- set changed_plans_sql = reload_from(current_plans, last_plans, 'changed_at') %}

with

changed_days as (

    {{ changed_days_sql | indent(4) }}

),

changed_plans as (

    {{ changed_plans_sql | indent(4) }}

),

last_days as (

    {{ last_days | indent(4) }}

),

settings_changed as (

    select count(*) > 0 as is_changed
    from last_days
    where model_settings <> {{ event_model_settings() }}

),

bounds as (

    -- The first month of any event ("everything") and the month after the last ("nothing"),
    -- from the staged days, not the events.
    select
        {{ period_start('month', 'min(occurred_on)') }} as first_month,
        {{ period_start('month', dbt.dateadd('month', 1, 'max(occurred_on)')) }} as after_last_month
    from {{ ref('stg_product__events_days') }}

),

final as (

    select
        case
            when {{ 'false' if knows_last_build else 'true' }} or settings_changed.is_changed then bounds.first_month
            when changed_days.reload_from is null then bounds.after_last_month
            else {{ period_start('month', 'changed_days.reload_from') }}
        end as activations_reload_from,
        case
            when {{ 'false' if knows_last_build else 'true' }} or settings_changed.is_changed then bounds.first_month
            when changed_days.reload_from is null and changed_plans.reload_from is null then bounds.after_last_month
            when changed_days.reload_from is null then {{ period_start('month', 'changed_plans.reload_from') }}
            when changed_plans.reload_from is null then {{ period_start('month', 'changed_days.reload_from') }}
            else {{ period_start('month', 'least(changed_days.reload_from, cast(changed_plans.reload_from as date))') }}
        end as activity_reload_from

    from bounds
    cross join changed_days
    cross join changed_plans
    cross join settings_changed

)

select * from final
