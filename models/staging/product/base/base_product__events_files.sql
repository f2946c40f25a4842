-- One row per file of raw product events and UTC day: the file's identity (path, size, last
-- modification) and the count and sum of row fingerprints of its rows of that day. When the
-- events are a folder of files (var data_dir), a build reads only the files that are new or
-- whose size or modification time changed since its last build; every other file keeps its
-- rows from then, so a nightly file costs a read of that file, not of the history. For a
-- warehouse table, one row per day with source_file NULL, read every build; with var
-- event_lookback_days, only the days from the look-back's first day on are read again, and the
-- earlier ones are kept as staged (event_lookback_start).
-- base_product__events_days adds the files up by day; stg_product__events reloads a day from
-- only the files that hold it; the input checks read only the files not summarised here.
-- `--full-refresh` reads every file again.
{{ config(materialized='table') }}

{%- set reads_files = var('data_dir') != '' %}
{%- set file_states_sql = data_dir_file_states('product_events') %}
{%- set previous = load_relation(this) if reads_files and not flags.FULL_REFRESH else none %}
{#- A warehouse table with a look-back: the days before its first day are taken from
    stg_product__events_days, which then equals this model's last rows (one a day; else there
    is no look-back: event_lookback_start). Read without a ref, which would make a cycle; and
    not from this model itself, which some engines drop before building it again. -#}
{%- set lookback_start = none if reads_files else event_lookback_start() %}
{%- set staged_days = existing_model_relation('stg_product__events_days') if lookback_start is not none else none %}
{%- set lookback_start_value = "cast('" ~ lookback_start ~ "' as date)" if lookback_start is not none else none %}
{#- The files to read: those without an identical identity (path, size, modification time) in
    the table as the last build left it; every file on a first build or full refresh. -#}
{%- set files_to_read = [] %}
{%- if previous is not none and execute %}
    {%- for file in new_data_dir_files('product_events', previous) %}
        {%- do files_to_read.append(quoted_string(file)) %}
    {%- endfor %}
{%- endif %}

with

file_states as (

    {{ file_states_sql }}

),

{% if previous is not none -%}
kept_days as (

    select known.*
    from {{ previous }} as known
    inner join file_states
        on {{ is_same_file('known', 'file_states') }}

),

{% elif staged_days is not none -%}
kept_days as (

    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as file_size,
        cast(null as {{ dbt.type_timestamp() }}) as file_modified_at,
        occurred_on,
        event_rows,
        fingerprint
    from {{ staged_days }}
    where occurred_on < {{ lookback_start_value }}

),

{% endif -%}
events_read as (

    select * from {{ ref('base_product__events') }}
    {% if previous is not none -%}
    where {{ ('source_file in (' ~ files_to_read | join(', ') ~ ')') if files_to_read else '1 = 0' }}
    {%- elif staged_days is not none -%}
    where {{ raw_timestamp_may_be_from('occurred_at_text', lookback_start) }}
        and occurred_on >= {{ lookback_start_value }}
    {%- endif %}

),

days_read as (

    {{ event_file_day_fingerprints('events_read') | indent(4) }}

),

final as (

    {% if previous is not none or staged_days is not none -%}
    select * from kept_days

    union all

    {% endif -%}
    select
        days_read.source_file,
        file_states.file_size,
        file_states.file_modified_at,
        days_read.occurred_on,
        days_read.event_rows,
        days_read.fingerprint
    from days_read
    left join file_states
        on days_read.source_file = file_states.source_file

)

select * from final
