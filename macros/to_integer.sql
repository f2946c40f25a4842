{#- Raw text to an integer. Unreadable text becomes NULL. -#}
{% macro to_integer(expression) -%}
    {{ return(adapter.dispatch('to_integer', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__to_integer(expression) -%}
    cast(cast({{ expression }} as {{ dbt.type_string() }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__to_integer(expression) -%}
    try_cast(cast({{ expression }} as varchar) as bigint)
{%- endmacro %}

{#- PostgreSQL has no try_cast: a number checked by number_pattern is rounded to the nearest
    integer (as DuckDB reads '3.5'), and kept only within bigint's range. -#}
{% macro postgres__to_integer(expression) -%}
    {%- set text = 'trim(cast(' ~ expression ~ ' as text))' -%}
    case when {{ text }} ~ {{ plg_kpis.number_pattern() }} then
        case when abs(round(cast({{ text }} as numeric))) <= 9223372036854775807 then
            cast(round(cast({{ text }} as numeric)) as bigint)
        end
    end
{%- endmacro %}

{% macro spark__to_integer(expression) -%}
    try_cast(round(try_cast(trim(cast({{ expression }} as string)) as decimal(38, 6))) as bigint)
{%- endmacro %}

{#- Cloud warehouses (not run in CI): each one's NULL-on-failure cast; a fraction is rounded,
    as DuckDB's try_cast does. -#}
{% macro snowflake__to_integer(expression) -%}
    try_to_number(trim(cast({{ expression }} as varchar)), 38, 0)
{%- endmacro %}

{% macro bigquery__to_integer(expression) -%}
    safe_cast(round(safe_cast(trim(cast({{ expression }} as string)) as bignumeric)) as int64)
{%- endmacro %}

{% macro trino__to_integer(expression) -%}
    try_cast(round(try_cast(trim(cast({{ expression }} as varchar)) as decimal(38, 10))) as bigint)
{%- endmacro %}
