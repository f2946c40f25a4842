{#- The first on-run-start hook: every setting that names something in the warehouse (var
    raw_schema, the values of var raw_tables) must be a plain identifier, and the day counts whole
    numbers, before any query uses them. A schema or table name reaches SQL as an identifier,
    which cannot be passed as a bound value; validating it is what keeps `x"; drop table y; --`
    data and not code. -#}
{% macro check_settings() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set names = {'raw_schema': var('raw_schema', '')} -%}
    {%- set raw_tables = var('raw_tables', {}) -%}
    {%- if raw_tables is not mapping -%}
        {%- do problems.append("var 'raw_tables' must map table names to identifiers, e.g. {product_events: events}; got: " ~ raw_tables) -%}
    {%- else -%}
        {%- for table, identifier in raw_tables.items() -%}
            {%- do names.update({"raw_tables." ~ table: identifier}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for name, value in names.items() if value -%}
        {%- if value is not string or not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', value) -%}
            {%- do problems.append("var '" ~ name ~ "' must be a plain name (letters, digits and _, not starting with a digit); got: " ~ value) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ('activation_window_days', 'sales_touch_lookback_days') -%}
        {%- do plg_kpis.days_var(name) -%}
    {%- endfor -%}
    {%- if var('event_lookback_days', none) is not none and var('event_lookback_days') != '' -%}
        {%- do plg_kpis.days_var('event_lookback_days') -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("Settings refused; nothing was built:\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
