{#- The partition config of an incremental event model on the engines that replace partitions
    (a day or month column); none elsewhere. -#}
{% macro event_partition_by(column, granularity='day') -%}
    {%- if target.type in ('spark', 'databricks') -%}
        {{ return([column]) }}
    {%- elif target.type == 'bigquery' -%}
        {{ return({'field': column, 'data_type': 'date', 'granularity': granularity}) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
