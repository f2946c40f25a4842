{#- The files of a raw table checked file by file whose rows the input checks have not seen, or
    none when every row must be checked. A table is checked file by file when its meta names
    `checked_by_file` (`files`: the model summarising its files by day, as
    base_product__events_files; `staged`: the model holding its distinct typed rows;
    `staged_days`: the day summary of what `staged` holds) and its rows are files in var
    data_dir. Its new files are enough when every file of the last build's summary is still
    there with the same size and modification time, and the staged rows are exactly those
    files' rows (their day summaries agree), so the other rows were checked when staged and
    have not changed since. Never on a full refresh. Called by unchecked_source_rows, which
    also rules out a table with a `references` column. -#}
{% macro unchecked_source_files(source) %}
    {%- set by_file = source.meta.get('checked_by_file') -%}
    {%- if not by_file or not var('data_dir') or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set built = plg_kpis.checked_by_file_relations(by_file) -%}
    {%- if built is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set files, staged_days = built.files, built.staged_days -%}
    {%- set state_sql -%}
        with file_states as (
            {{ plg_kpis.data_dir_file_states(source.name) }}
        ),
        known_files as (
            select distinct source_file, file_size, file_modified_at from {{ files }}
        )
        select
            (select count(*) from known_files where not exists (
                select 1 from file_states
                where {{ plg_kpis.is_same_file('file_states', 'known_files') }})) as changed_files,
            ({{ plg_kpis.differing_event_days(files, staged_days) }}) as differing_days
    {%- endset -%}
    {%- set state = run_query(state_sql).rows[0] -%}
    {%- if state[0] | int > 0 or state[1] | int > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(plg_kpis.new_data_dir_files(source.name, files)) }}
{% endmacro %}
