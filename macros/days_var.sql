{#- A var that holds a whole number of days, checked (a non-negative integer) before it reaches SQL. -#}
{% macro days_var(var_name) -%}
    {%- set value = var(var_name) -%}
    {%- if value is string and value.strip().isdigit() -%}
        {%- set value = value.strip() | int -%}
    {%- endif -%}
    {%- if value is not number or value is sameas true or value is sameas false or value < 0 or value != (value | int) -%}
        {{ exceptions.raise_compiler_error("var '" ~ var_name ~ "' must be a whole number of days (0 or more), got: " ~ value) }}
    {%- endif -%}
    {{ return(value | int) }}
{%- endmacro %}
