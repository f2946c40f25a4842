{#- The last instant of the activation window that opens at `window_start`: window_start plus
    var activation_window_days. The window test and the "window has closed" flag both use it. -#}
{% macro window_closes_at(window_start) -%}
    {{ plg_kpis.add_days(window_start, plg_kpis.days_var('activation_window_days')) }}
{%- endmacro %}
