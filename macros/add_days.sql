{#- `instant` plus a whole number of 24-hour days (negative: minus), to the microsecond. -#}
{% macro add_days(instant, days) -%}
    {{ return(adapter.dispatch('add_days', 'plg_kpis')(instant, days)) }}
{%- endmacro %}

{% macro default__add_days(instant, days) -%}
    {{ dbt.dateadd('day', days, instant) }}
{%- endmacro %}

{#- dbt-spark's dateadd goes through whole seconds (to_unix_timestamp) and drops fractional
    seconds; a day-time interval keeps them. -#}
{% macro spark__add_days(instant, days) -%}
    ({{ instant }} + make_dt_interval({{ days }}))
{%- endmacro %}
