-- Grain of stg_product__events: one row per event_id. Checked among the events of the days this
-- build (re)loaded: what staging can get wrong is a reloaded day holding an event twice (its
-- old rows kept beside the new, or a duplicate raw row not collapsed). The same id on two
-- different days is two different rows for one id, which the input checks (validate_raw_input,
-- run before any model) refuse among all raw rows, or among the new files' rows and every
-- staged row; it is not searched for again here over the whole table.
-- When this build loaded every staged day (a first build, a full refresh), the staged rows are
-- the distinct typed raw rows, and the input checks have just searched those for an event_id
-- on two different rows: the grain of the largest table is then tested once, there, not
-- counted a second time here. base_product__events_reload (from which day the build loaded) is
-- read without a ref, as it was built before stg_product__events; its day is written into the
-- filter, so the engine skips the blocks of earlier days without reading them.
{%- set reload = existing_model_relation('base_product__events_reload') %}
{%- set loaded_days_filter = '1 = 0' %}
{%- if reload is not none and execute %}
    {%- set loaded = run_query(
        'select cast(reload_from as ' ~ dbt.type_string() ~ '), case when reload_from <= (select min(occurred_on) from '
        ~ ref('stg_product__events') ~ ') then 1 else 0 end from ' ~ reload).rows[0] %}
    {%- if loaded[0] is not none and loaded[1] == 0 %}
        {%- set loaded_days_filter = 'occurred_on >= cast(' ~ quoted_string(loaded[0]) ~ ' as date)' %}
    {%- endif %}
{%- endif %}

with

events as (

    select * from {{ ref('stg_product__events') }}

),

loaded_events as (

    select event_id
    from events
    where {{ loaded_days_filter }}

)

select
    event_id,
    count(*) as rows_per_key

from loaded_events
group by 1
having count(*) > 1
