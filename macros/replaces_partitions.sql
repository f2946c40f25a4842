{#- The engines where the event models replace whole partitions: Spark (Parquet tables support
    nothing else), and BigQuery and Databricks, whose adapters check the strategy against their
    own list. -#}
{% macro replaces_partitions() -%}
    {{ return(target.type in ('spark', 'databricks', 'bigquery')) }}
{%- endmacro %}
