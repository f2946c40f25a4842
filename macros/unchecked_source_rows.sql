{#- The rows of a raw table that the input checks may read alone, or none when every row must be
    read. For a table checked by part (source meta checked_by_file), either the rows of its new
    files (unchecked_source_files) or, with var event_lookback_days and a warehouse table, the
    rows from the look-back's first day on (event_lookback_start), those with an unreadable or
    empty timestamp included, so that no bad row escapes the checks. A dict: `condition` filters
    the table's rows (aliased new_row); `staged_condition` the staged rows their ids are compared
    with (none: every staged row; by day: the staged rows the checked ones cannot replace);
    `described`, for the log. Never for a table with a `references` column (the referenced table
    may have lost a value an old row names). -#}
{% macro unchecked_source_rows(source) %}
    {%- set by_file = source.meta.get('checked_by_file') -%}
    {%- if not by_file -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for column in source.columns.values() if column.meta.references -%}
        {{ return(none) }}
    {%- endfor -%}
    {%- set new_files = plg_kpis.unchecked_source_files(source) -%}
    {%- if new_files is not none -%}
        {%- set quoted_files = [] -%}
        {%- for file in new_files -%}
            {%- do quoted_files.append(plg_kpis.quoted_string(file)) -%}
        {%- endfor -%}
        {{ return({
            'condition': ('new_row.plg_source_file in (' ~ quoted_files | join(', ') ~ ')') if quoted_files else '1 = 0',
            'staged_condition': none,
            'described': 'the rows of its ' ~ new_files | length ~ ' new file(s) only'}) }}
    {%- endif -%}
    {%- set first_day = plg_kpis.event_lookback_start() -%}
    {%- if first_day is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set first_day_value = 'cast(' ~ plg_kpis.quoted_string(first_day) ~ ' as date)' -%}
    {%- set instant = plg_kpis.typed_column('timestamp', 'new_row.' ~ by_file.timestamp) -%}
    {{ return({
        'condition': plg_kpis.raw_timestamp_may_be_from('new_row.' ~ by_file.timestamp, first_day)
            ~ ' and (' ~ instant ~ ' is null or cast(' ~ instant ~ ' as date) >= ' ~ first_day_value ~ ')',
        'staged_condition': by_file.staged_day ~ ' < ' ~ first_day_value,
        'described': 'the rows from ' ~ first_day ~ ' on (var event_lookback_days)'}) }}
{% endmacro %}
