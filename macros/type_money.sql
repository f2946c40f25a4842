{#- The exact decimal type money is kept in: 6 decimal places, so that amounts with more
    than a currency's minor unit (prorations, per-unit prices, a float's text such as
    29.970000000000002) are kept to a millionth, and sums of many of them stay exact to the
    cent; up to a trillion per amount, in 8 bytes on every engine. More decimals are rounded. -#}
{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money', 'plg_kpis')()) }}
{%- endmacro %}

{% macro default__type_money() -%}
    decimal(18, 6)
{%- endmacro %}
