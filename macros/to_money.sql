{#- Raw text to a money amount (an exact decimal). Unreadable text becomes NULL. -#}
{% macro to_money(expression) -%}
    {{ return(adapter.dispatch('to_money', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__to_money(expression) -%}
    cast(cast({{ expression }} as {{ dbt.type_string() }}) as {{ plg_kpis.type_money() }})
{%- endmacro %}

{% macro duckdb__to_money(expression) -%}
    try_cast(cast({{ expression }} as varchar) as {{ plg_kpis.type_money() }})
{%- endmacro %}

{#- PostgreSQL has no try_cast: a number checked by number_pattern is kept only when it fits
    type_money once rounded to its 6 decimal places (as DuckDB's try_cast does). -#}
{% macro postgres__to_money(expression) -%}
    {%- set text = 'trim(cast(' ~ expression ~ ' as text))' -%}
    case when {{ text }} ~ {{ plg_kpis.number_pattern() }} then
        case when abs(round(cast({{ text }} as numeric), 6)) < 1000000000000 then
            cast(cast({{ text }} as numeric) as {{ plg_kpis.type_money() }})
        end
    end
{%- endmacro %}

{% macro spark__to_money(expression) -%}
    try_cast(trim(cast({{ expression }} as string)) as {{ plg_kpis.type_money() }})
{%- endmacro %}

{#- Cloud warehouses (not run in CI): each one's NULL-on-failure cast; extra decimals rounded. -#}
{% macro snowflake__to_money(expression) -%}
    try_to_decimal(trim(cast({{ expression }} as varchar)), 18, 6)
{%- endmacro %}

{% macro bigquery__to_money(expression) -%}
    safe_cast(trim(cast({{ expression }} as string)) as {{ plg_kpis.type_money() }})
{%- endmacro %}

{% macro trino__to_money(expression) -%}
    try_cast(trim(cast({{ expression }} as varchar)) as {{ plg_kpis.type_money() }})
{%- endmacro %}
