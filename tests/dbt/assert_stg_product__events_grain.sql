-- Grain of stg_product__events: one row per event_id. Checked for the events of the days this
-- build (re)loaded against every staged row: the other days were checked when they were loaded
-- and have not changed since (base_product__events_reload says from which day on the build
-- loaded; it is read without a ref, as it was built before stg_product__events).
-- When this build loaded every staged day (a first build, a full refresh), the staged rows are
-- the distinct typed raw rows, and the input checks (validate_raw_input, run before any model)
-- have just searched those for an event_id on two different rows: the grain of the largest
-- table is then tested once, there, not counted a second time here.
{%- set reload = existing_model_relation('base_product__events_reload') %}
{%- set every_day_loaded = reload is none or (execute and run_query(
        'select case when reload_from <= (select min(occurred_on) from ' ~ ref('stg_product__events') ~ ') then 1 else 0 end'
        ~ ' from ' ~ reload).columns[0].values()[0] == 1) %}
{%- set loaded_days_filter = 'occurred_on >= (select reload_from from ' ~ reload ~ ')'
    if not every_day_loaded else '1 = 0' %}

with

events as (

    select * from {{ ref('stg_product__events') }}

),

loaded_event_ids as (

    select event_id
    from events
    where {{ loaded_days_filter }}

),

checked_events as (

    select events.event_id
    from events
    where events.event_id in (select loaded_event_ids.event_id from loaded_event_ids)

)

select
    event_id,
    count(*) as rows_per_key

from checked_events
group by 1
having count(*) > 1
