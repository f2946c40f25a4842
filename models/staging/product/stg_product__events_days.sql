-- The days stg_product__events now holds, one row per UTC day: the count and the sum of row
-- fingerprints of the raw rows they were staged from (from its raw_rows, so the same summary
-- base_product__events_days makes of the raw events). Built after stg_product__events: the
-- next build compares the source with it, and the event models compare it with what they were
-- last built from. Incremental like stg_product__events: the days it reloaded are summarised
-- again, the others kept.
{{ config(
    materialized='incremental',
    incremental_strategy=event_incremental_strategy(),
    on_schema_change='fail',
    partition_by=event_partition_by('occurred_on'),
    reload_column='occurred_on',
    reload_from='base_product__events_reload.reload_from',
) }}

-- depends_on: {{ ref('base_product__events_reload') }}

with

days as (

    {{ event_day_fingerprints(
        ref('stg_product__events'),
        copies='raw_rows',
        where=('occurred_on >= (select reload_from from ' ~ ref('base_product__events_reload') ~ ')') if is_incremental() else none
    ) | indent(4) }}

)

select * from days
