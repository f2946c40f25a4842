{#- Source freshness inside every build (dbt source freshness runs apart from it). The column
    whose newest instant tells a raw table's freshness: the one its loaded_at_field reads (the
    sources' `config: loaded_at_field`), or none when the table has no freshness rule. -#}
{% macro freshness_column(source) -%}
    {%- set loaded_at = source.loaded_at_field or source.config.get('loaded_at_field') -%}
    {%- set freshness = source.freshness or source.config.get('freshness') -%}
    {%- if not loaded_at or not freshness or not freshness.warn_after or not freshness.warn_after.count -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for column_name in source.columns if modules.re.search('\\b' ~ column_name ~ '\\b', loaded_at) -%}
        {{ return(column_name) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
