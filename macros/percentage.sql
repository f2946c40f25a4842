{#- 100 * numerator / denominator as a double; a zero denominator gives NULL, never an error
    or a zero. Both sides are cast to a double so that integer counts never divide as integers. -#}
{% macro percentage(numerator, denominator) -%}
    100.0 * {{ plg_kpis.safe_divide(numerator, denominator) }}
{%- endmacro %}
