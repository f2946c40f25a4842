-- One row per UTC day of the raw product events as they are now: how many raw rows it holds
-- (exact duplicates included) and the sum of their row fingerprints. Compared with
-- stg_product__events_days (the days as they were when stg_product__events last loaded them)
-- to find what changed. One read of the raw events per build: hashing, no sort, no write.
{{ config(materialized='table') }}

with

days as (

    {{ event_day_fingerprints(ref('base_product__events')) | indent(4) }}

)

select * from days
