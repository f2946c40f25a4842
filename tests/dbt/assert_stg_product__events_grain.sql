-- Grain of stg_product__events: one row per event_id. Checked for the events of the days this
-- build (re)loaded against every staged row: the other days were checked when they were loaded
-- and have not changed since (base_product__events_reload says from which day on the build
-- loaded; it is read without a ref, as it was built before stg_product__events). When that is
-- every staged day (a first build, a full refresh), a plain count per id, without looking up
-- the loaded days' ids first.
{%- set reload = existing_model_relation('base_product__events_reload') %}
{%- set every_day_loaded = reload is none or (execute and run_query(
        'select case when reload_from <= (select min(occurred_on) from ' ~ ref('stg_product__events') ~ ') then 1 else 0 end'
        ~ ' from ' ~ reload).columns[0].values()[0] == 1) %}

with

events as (

    select * from {{ ref('stg_product__events') }}

),

checked_events as (

    select event_id
    from events
    {%- if not every_day_loaded %}
    where event_id in (
        select event_id
        from events
        where occurred_on >= (select reload_from from {{ reload }})
    )
    {%- endif %}

)

select
    event_id,
    count(*) as rows_per_key

from checked_events
group by 1
having count(*) > 1
