-- One row per UTC day of the raw product events as they are now: how many raw rows it holds
-- (exact duplicates included) and the sum of their row fingerprints. Compared with
-- stg_product__events_days (the days as they were when stg_product__events last loaded them)
-- to find what changed. A view: read once, by base_product__events_reload, and only on an
-- incremental build (a first build or a full refresh loads every day without comparing).
{{ config(materialized='view') }}

with

days as (

    {{ event_day_fingerprints(ref('base_product__events')) | indent(4) }}

)

select * from days
