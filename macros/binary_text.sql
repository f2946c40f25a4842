{#- Text that sorts byte by byte, as DuckDB and Spark sort all text, for the orderings that
    decide a result (ties broken by an id). PostgreSQL sorts by the database's collation
    (en_US puts 'B' after 'a') unless told to use "C". -#}
{% macro binary_text(expression) -%}
    {{ return(adapter.dispatch('binary_text', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__binary_text(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro postgres__binary_text(expression) -%}
    ({{ expression }} collate "C")
{%- endmacro %}

{#- Redshift (which would otherwise take the PostgreSQL form) has no `collate "C"` clause; its
    text order is its default, case-sensitive collation. -#}
{% macro redshift__binary_text(expression) -%}
    {{ expression }}
{%- endmacro %}
