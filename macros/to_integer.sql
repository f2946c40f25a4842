{#- Raw text to an integer. Unreadable text becomes NULL. -#}
{% macro to_integer(expression) -%}
    {{ return(adapter.dispatch('to_integer', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__to_integer(expression) -%}
    cast(cast({{ expression }} as {{ dbt.type_string() }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__to_integer(expression) -%}
    try_cast(cast({{ expression }} as varchar) as bigint)
{%- endmacro %}
