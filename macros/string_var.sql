{#- A var that holds one text, as a SQL string literal. -#}
{% macro string_var(var_name) -%}
    {{ plg_kpis.quoted_string(var(var_name)) }}
{%- endmacro %}
