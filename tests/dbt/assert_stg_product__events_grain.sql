-- Grain of stg_product__events: one row per event_id. Checked for the events of the days this
-- build (re)loaded, all of them on a full build, against every staged row: the other days were
-- checked when they were loaded and have not changed since (base_product__events_reload says
-- which days changed; it is read without a ref, as it was built before stg_product__events).
{%- set reload = existing_model_relation('base_product__events_reload') %}
{%- set is_reloaded = 'occurred_on >= (select reload_from from ' ~ reload ~ ')' if reload is not none else '1 = 1' %}

with

events as (

    select * from {{ ref('stg_product__events') }}

),

reloaded_ids as (

    select distinct event_id
    from events
    where {{ is_reloaded }}

)

select
    events.event_id,
    count(*) as rows_per_key

from events
inner join reloaded_ids
    on events.event_id = reloaded_ids.event_id
group by 1
having count(*) > 1
