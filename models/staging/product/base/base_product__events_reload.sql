-- One row: the first day whose raw product events differ from those stg_product__events holds
-- (a row added, removed or altered: base_product__events_days against stg_product__events_days);
-- NULL when no day differs; 0001-01-01 (every day) when nothing is staged yet or on a full
-- refresh. An incremental build of stg_product__events reloads the days from it on, so a late
-- event of any age is found, not only those of the last few days.
-- stg_product__events_days is read as it was before this build, so it is not a ref (which
-- would make a cycle).
{{ config(materialized='table') }}

-- depends_on: {{ ref('base_product__events_days') }}

{%- set loaded = existing_model_relation('stg_product__events_days') %}
{%- set staged = existing_model_relation('stg_product__events') %}
{%- set day_columns = 'occurred_on, event_rows, fingerprint' %}
{%- set reload_sql = reload_from(
        'select ' ~ day_columns ~ ' from ' ~ ref('base_product__events_days'),
        'select ' ~ day_columns ~ ' from ' ~ loaded,
        'occurred_on'
    ) if loaded is not none and staged is not none and not flags.FULL_REFRESH
    else "select cast('0001-01-01' as date) as reload_from" %}

with

reload as (

    {{ reload_sql | indent(4) }}

)

select * from reload
