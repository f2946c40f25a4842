{#- The strategy of the incremental event models: `reload` from a point on, or insert_overwrite
    of the partitions that changed. -#}
{% macro event_incremental_strategy() -%}
    {{ return('insert_overwrite' if plg_kpis.replaces_partitions() else 'reload') }}
{%- endmacro %}
