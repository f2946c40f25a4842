{#- The first day (a date) of the UTC calendar month or quarter holding a timestamp. -#}
{% macro period_start(datepart, timestamp) -%}
    cast({{ dbt.date_trunc(datepart, timestamp) }} as date)
{%- endmacro %}
