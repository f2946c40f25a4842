{#- A var value as a SQL string literal. Quotes (and, where the engine treats it as an escape,
    the backslash) are escaped, so a value is always data, never code. -#}
{% macro quoted_string(value) -%}
    {{ return(adapter.dispatch('quoted_string', 'plg_kpis')(value)) }}
{%- endmacro %}

{% macro default__quoted_string(value) -%}
    {%- if value is not string -%}
        {{ exceptions.raise_compiler_error("Expected a text value, got " ~ value ~ " (" ~ value.__class__.__name__ ~ ")") }}
    {%- endif -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__quoted_string(value) -%}
    {%- if value is not string -%}
        {{ exceptions.raise_compiler_error("Expected a text value, got " ~ value ~ " (" ~ value.__class__.__name__ ~ ")") }}
    {%- endif -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- BigQuery and Snowflake string literals treat the backslash as an escape, as Spark does. -#}
{% macro bigquery__quoted_string(value) -%}
    {{ return(plg_kpis.spark__quoted_string(value)) }}
{%- endmacro %}

{% macro snowflake__quoted_string(value) -%}
    {{ return(plg_kpis.spark__quoted_string(value)) }}
{%- endmacro %}
