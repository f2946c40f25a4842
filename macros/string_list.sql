{#- A var that holds a list of texts, as a parenthesised SQL list for `in (...)`. A single text
    is taken as a list of one. An empty list gives a list that matches nothing. -#}
{% macro string_list(var_name) -%}
    {%- set values = var(var_name) -%}
    {%- if values is string -%}
        {%- set values = [values] -%}
    {%- endif -%}
    {%- if values is mapping or values is not iterable -%}
        {{ exceptions.raise_compiler_error("var '" ~ var_name ~ "' must be a list of texts, got: " ~ values) }}
    {%- endif -%}
    {%- if values | length == 0 -%}
        (cast(null as {{ dbt.type_string() }}))
    {%- else -%}
        ({% for value in values %}{{ plg_kpis.quoted_string(value) }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}
