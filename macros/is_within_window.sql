{#- The activation window: `instant` lies within `days` days after `window_start`, both ends
    included (window_start <= instant <= window_start + days). -#}
{% macro is_within_window(window_start, instant, days) -%}
    ({{ instant }} >= {{ window_start }} and {{ instant }} <= {{ plg_kpis.add_days(window_start, days) }})
{%- endmacro %}
