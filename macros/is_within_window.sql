{#- The activation window: `instant` lies within the window that opens at `window_start`, both
    ends included (window_start <= instant <= window_closes_at(window_start)). -#}
{% macro is_within_window(window_start, instant) -%}
    ({{ instant }} >= {{ window_start }} and {{ instant }} <= {{ plg_kpis.window_closes_at(window_start) }})
{%- endmacro %}
