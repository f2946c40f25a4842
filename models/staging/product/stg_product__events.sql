-- Product events, one row per event: exact duplicate rows (loader retries) are one row, and
-- only the rows whose id repeats are compared to find them. The largest input, read by several
-- models, so it is an incremental table: a build reloads only the days from the first one
-- whose raw events changed (base_product__events_reload), which after a nightly load is the
-- new day plus any day that received late events. `--full-refresh` rebuilds it from every row.
{{ config(
    materialized='incremental',
    incremental_strategy=event_incremental_strategy(),
    on_schema_change='fail',
    partition_by=event_partition_by('occurred_on'),
    reload_column='occurred_on',
    reload_from='base_product__events_reload.reload_from',
) }}

-- depends_on: {{ ref('base_product__events_reload') }}
-- depends_on: {{ ref('base_product__events_files') }}

{#- When the events are a folder of files, an incremental build reads only the files that hold
    a day it reloads (base_product__events_files); the others are not opened. -#}
{%- set file_filter = '' %}
{%- if is_incremental() and var('data_dir') and execute %}
    {%- set files_sql = 'select distinct source_file from ' ~ ref('base_product__events_files')
        ~ ' where occurred_on >= (select reload_from from ' ~ ref('base_product__events_reload') ~ ') order by 1' %}
    {%- set files = [] %}
    {%- for file in run_query(files_sql).columns[0].values() %}
        {%- do files.append(quoted_string(file)) %}
    {%- endfor %}
    {%- set file_filter = ' and ' ~ (('source_file in (' ~ files | join(', ') ~ ')') if files else '1 = 0') %}
{%- endif %}

{#- The rows of earlier days are skipped by their timestamp as written before the exact, typed
    filter, so that reloading the last days does not type the history (a warehouse table, or a
    file holding many days). -#}
{%- set text_filter = '' %}
{%- if is_incremental() and execute %}
    {%- set reload_from_day = run_query('select cast(reload_from as ' ~ dbt.type_string() ~ ') from '
        ~ ref('base_product__events_reload')).rows[0][0] %}
    {#- No day to reload (NULL): the typed filter keeps no row either, and this one lets the
        engine skip the scan. -#}
    {%- set text_filter = ' and ' ~ (raw_timestamp_may_be_from('occurred_at_text', (reload_from_day | string)[:10])
        if reload_from_day is not none else '1 = 0') %}
{%- endif %}

{%- set loaded_days = 'occurred_on >= (select reload_from from ' ~ ref('base_product__events_reload') ~ ')' ~ file_filter ~ text_filter
    if is_incremental() else '1 = 1' %}
{%- set event_id_hash = row_fingerprint(['event_id']) %}
{%- set event_columns = 'event_id, user_id, account_id, event_name, occurred_at, occurred_on' %}

-- The loaded events are imported three times, each read once: an engine may keep a CTE read
-- twice in memory (DuckDB does), which held every typed row at 100 million events.

with

events as (

    select * from {{ ref('base_product__events') }}
    where {{ loaded_days }}

),

event_ids as (

    select event_id from {{ ref('base_product__events') }}
    where {{ loaded_days }}

),

events_to_compare as (

    select * from {{ ref('base_product__events') }}
    where {{ loaded_days }}

),

repeated_event_ids as (

    -- The ids on more than one raw row (exact duplicates: a loader's retries), by a 64-bit
    -- hash of the id: finding repeated numbers is far cheaper than grouping every row's
    -- values, and only these rows need comparing. A hash two ids share only sends a few more
    -- rows there.
    {{ repeated_hashes('select ' ~ event_id_hash ~ ' as key_hash from event_ids') | indent(4) }}

),

single_rows as (

    select {{ event_columns }}
    from events
    where {{ event_id_hash }} not in (select repeated_event_ids.key_hash from repeated_event_ids)

),

repeated_rows as (

    select distinct {{ event_columns }}
    from events_to_compare
    where {{ event_id_hash }} in (select repeated_event_ids.key_hash from repeated_event_ids)

),

deduplicated as (

    select * from single_rows
    union all
    select * from repeated_rows

)

select * from deduplicated
