-- The days of raw product events stg_product__events now holds, one row per UTC day (count and
-- sum of row fingerprints of the raw rows, as base_product__events_days found them). Built
-- after stg_product__events: the next build compares the source with it, and the event models
-- compare it with what they were last built from.
{{ config(materialized='table') }}

-- depends_on: {{ ref('stg_product__events') }}

with

days as (

    select * from {{ ref('base_product__events_days') }}

)

select * from days
