{#- The exact decimal type money is kept in: 4 decimal places, enough for any currency's
    minor unit plus rounding headroom. -#}
{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money', 'plg_kpis')()) }}
{%- endmacro %}

{% macro default__type_money() -%}
    decimal(18, 4)
{%- endmacro %}
