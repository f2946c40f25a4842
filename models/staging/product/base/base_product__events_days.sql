-- One row per UTC day of the raw product events as they are now: how many raw rows it holds
-- (exact duplicates included) and the sum of their row fingerprints, added up over the files
-- of base_product__events_files. Compared with stg_product__events_days (the days as they were
-- when stg_product__events last loaded them) to find what changed.
{{ config(materialized='table') }}

with

files as (

    select * from {{ ref('base_product__events_files') }}

),

days as (

    select
        occurred_on,
        cast(sum(event_rows) as {{ dbt.type_bigint() }}) as event_rows,
        sum(fingerprint) as fingerprint

    from files
    group by 1

)

select * from days
