{#- Raw text typed by the `type` of its column's meta in the sources: the mapping from a
    declared type to the macro that reads it. -#}
{% macro typed_column(type, expression) -%}
    {%- if type in ('id', 'text') -%}
        {{ plg_kpis.clean_text(expression) }}
    {%- elif type == 'timestamp' -%}
        {{ plg_kpis.to_utc_timestamp(expression) }}
    {%- elif type == 'money' -%}
        {{ plg_kpis.to_money(expression) }}
    {%- elif type == 'integer' -%}
        {{ plg_kpis.to_integer(expression) }}
    {%- elif type == 'boolean' -%}
        {{ plg_kpis.to_boolean(expression) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("Unknown column type '" ~ type ~ "' in the sources' meta") }}
    {%- endif -%}
{%- endmacro %}
