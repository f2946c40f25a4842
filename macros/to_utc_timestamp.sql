{#- The one place where raw text becomes a UTC timestamp. A value with an offset ('Z',
    '+02:00', '-08:00', '+05:30') is converted to the same instant in UTC; a value without one
    is taken as UTC. A value that cannot be read becomes NULL (validate_raw_input reports it
    before any model runs). -#}
{% macro to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expression) -%}
    cast(cast(cast({{ expression }} as {{ dbt.type_string() }}) as timestamp with time zone) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expression) -%}
    timezone('UTC', try_cast(cast({{ expression }} as varchar) as timestamptz))
{%- endmacro %}
