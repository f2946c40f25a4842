{#- Raw text to a money amount (an exact decimal). Unreadable text becomes NULL. -#}
{% macro to_money(expression) -%}
    {{ return(adapter.dispatch('to_money', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__to_money(expression) -%}
    cast(cast({{ expression }} as {{ dbt.type_string() }}) as {{ plg_kpis.type_money() }})
{%- endmacro %}

{% macro duckdb__to_money(expression) -%}
    try_cast(cast({{ expression }} as varchar) as {{ plg_kpis.type_money() }})
{%- endmacro %}
