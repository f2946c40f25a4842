{#- With var event_lookback_days set, the first UTC day of raw product events an incremental
    build reads from a warehouse table: the last day staged (up to today) less that many days,
    as text 'YYYY-MM-DD'. The days before it are taken as they were staged: their day summaries
    are kept (base_product__events_files) and the input checks read only the rows from it on
    (unchecked_source_rows), so a nightly build reads the last days, not the history; a change
    to an earlier day needs `--full-refresh`. The models compared are those the product_events
    source's meta checked_by_file names (summary, staged rows, staged days). None, and every
    row is read, when the var is unset, when the events are a folder of files (var data_dir:
    new and changed files are found by file, at any age), on a first build or a full refresh,
    and when the staged days are not exactly the summarised ones (a build stopped between the
    two). -#}
{% macro event_lookback_start() %}
    {%- set setting = var('event_lookback_days', none) -%}
    {%- if not execute or setting is none or setting == '' or var('data_dir') or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set days = plg_kpis.days_var('event_lookback_days') -%}
    {%- set by_file = graph.sources['source.' ~ project_name ~ '.product.product_events'].meta.checked_by_file -%}
    {%- set built = plg_kpis.checked_by_file_relations(by_file) -%}
    {%- if built is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set files, staged_days = built.files, built.staged_days -%}
    {%- set state_sql -%}
        select
            cast((select max(occurred_on) from {{ staged_days }}
                  where occurred_on <= cast({{ dbt.current_timestamp() }} as date)) as {{ dbt.type_string() }}) as last_day,
            ({{ plg_kpis.differing_event_days(files, staged_days) }}) as differing_days
    {%- endset -%}
    {%- set state = run_query(state_sql).rows[0] -%}
    {%- if state[0] is none or state[1] | int > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set last_day = modules.datetime.date.fromisoformat((state[0] | string)[:10]) -%}
    {{ return((last_day - modules.datetime.timedelta(days=days)).isoformat()) }}
{% endmacro %}
