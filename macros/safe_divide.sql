{#- numerator / denominator as a double; a zero denominator gives NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as {{ plg_kpis.type_double() }}) / nullif(cast({{ denominator }} as {{ plg_kpis.type_double() }}), 0)
{%- endmacro %}
