{#- For a raw table loaded incrementally (source meta `incremental`: `staged`, the model it is
    loaded into; `day_summaries`, the model holding the day summaries of what that model holds;
    `instant`, the column whose UTC day is a row's day), which rows the input checks must read:
    those of the days whose raw rows changed since the last load (found as the load itself finds
    them, by comparing event_day_fingerprints), and every row without a readable instant.
    Returns none (check every row) on a full refresh or when nothing is loaded yet; else a dict:
    `staged` (the relation), `raw_condition` (for raw rows aliased `unchecked`) and
    `staged_condition` (staged rows, aliased `staged`, of the days reloaded). -#}
{% macro incremental_load_state(source, relation) -%}
    {%- set incremental = source.meta.get('incremental') -%}
    {%- if not incremental or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set staged = plg_kpis.existing_model_relation(incremental.staged) -%}
    {%- set day_summaries = plg_kpis.existing_model_relation(incremental.day_summaries) -%}
    {%- if staged is none or day_summaries is none -%}
        {{ return(none) }}
    {%- endif -%}

    {%- set typed_columns = [] -%}
    {%- for column_name, column in source.columns.items() -%}
        {%- do typed_columns.append(plg_kpis.typed_column(column.meta.type, 'raw_rows.' ~ column_name) ~ ' as ' ~ column_name) -%}
    {%- endfor -%}
    {%- set typed_rows = '(select ' ~ typed_columns | join(', ') ~ ', cast('
        ~ plg_kpis.typed_column('timestamp', 'raw_rows.' ~ incremental.instant) ~ ' as date) as occurred_on from '
        ~ relation ~ ' as raw_rows) as typed_rows' -%}
    {%- set first_changed_day = run_query(plg_kpis.reload_from(
        plg_kpis.event_day_fingerprints(typed_rows),
        'select occurred_on, event_rows, fingerprint from ' ~ day_summaries,
        'occurred_on')).rows[0][0] -%}

    {%- set raw_instant = plg_kpis.typed_column('timestamp', 'unchecked.' ~ incremental.instant) -%}
    {%- if first_changed_day is none -%}
        {{ return({'staged': staged, 'raw_condition': raw_instant ~ ' is null', 'staged_condition': '1 = 0'}) }}
    {%- endif -%}
    {%- set day = "cast('" ~ (first_changed_day | string)[:10] ~ "' as date)" -%}
    {{ return({
        'staged': staged,
        'raw_condition': '(' ~ raw_instant ~ ' is null or cast(' ~ raw_instant ~ ' as date) >= ' ~ day ~ ')',
        'staged_condition': 'cast(staged.' ~ incremental.instant ~ ' as date) >= ' ~ day,
    }) }}
{%- endmacro %}
