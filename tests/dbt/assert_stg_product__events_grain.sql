-- Grain of stg_product__events: one row per event_id. Checked for the events of the days this
-- build (re)loaded against every staged row: the other days were checked when they were loaded
-- and have not changed since (base_product__events_reload says which days changed; it is read
-- without a ref, as it was built before stg_product__events). When every day was loaded (a
-- first build, a full refresh) that is a plain count per id, one pass instead of three.
{%- set reload = existing_model_relation('base_product__events_reload') %}
{%- set reload_from = run_query('select reload_from from ' ~ reload).columns[0].values()[0]
    if execute and reload is not none else none %}
{%- set every_day_loaded = reload is none or (reload_from is not none and reload_from | string == '0001-01-01') %}

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
