{#- Raw text to text (ids and labels alike), kept as written; an empty value is NULL. -#}
{% macro clean_text(expression) -%}
    nullif(cast({{ expression }} as {{ dbt.type_string() }}), '')
{%- endmacro %}
