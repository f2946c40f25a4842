-- One row: the first day whose product events in the source differ from those staged in
-- stg_product__events (added, removed or altered rows; NULL when no day differs). An
-- incremental build of stg_product__events reloads the days from that one on. Days are
-- compared by row count and the sum of row fingerprints, so a late event of any age is found,
-- not only those of the last few days.
-- stg_product__events is read as it was before this build, so it is not a ref (which would
-- make a cycle).
{{ config(materialized='table') }}

-- depends_on: {{ ref('base_product__events') }}

{%- set staged = existing_model_relation('stg_product__events') %}
{#- Nothing staged yet, or a full refresh: stg_product__events is built from every row and does
    not read this; the source is not scanned for it. -#}
{%- set reload_sql = reload_from(
        event_day_fingerprints(ref('base_product__events')),
        event_day_fingerprints(staged, weight='source_rows'),
        'occurred_on'
    ) if staged is not none and not flags.FULL_REFRESH else 'select cast(null as date) as reload_from' %}

with

reload as (

    {{ reload_sql | indent(4) }}

)

select * from reload
