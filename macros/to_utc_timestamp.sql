{#- The one place where raw text becomes a UTC timestamp. A value with an offset ('Z',
    '+02:00', '-08:00', '+05:30') is converted to the same instant in UTC; a value without one
    is taken as UTC. ISO 8601 allows a comma before the fractional seconds as well as a point
    ('10:00:00,5'); both are read. A value that cannot be read becomes NULL
    (validate_raw_input reports it before any model runs). ISO 8601's basic format, without
    separators ('20250101T100000Z'), is not read. -#}
{% macro to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expression) -%}
    cast(cast(cast({{ expression }} as {{ dbt.type_string() }}) as timestamp with time zone) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- DuckDB: text of the common shapes 'YYYY-MM-DDTHH:MM:SSZ', 'YYYY-MM-DDTHH:MM:SS' and
    'YYYY-MM-DD HH:MM:SS' (no offset fits in them: the value is UTC) is read by strptime with
    that shape's format, which costs 40 to 60% less than the general cast to `timestamptz`. Only
    text of exactly one of those shapes is tried: strptime failing costs about four times the
    general cast. Any other value, and any such text strptime cannot read, goes through the
    general cast, which converts an offset; then once more upper-cased and with a comma made a
    point: ISO 8601 allows a lower-case 't' and 'z' and a comma before the fraction, which
    DuckDB's cast refuses (PostgreSQL and Spark read the text so too). The coalesce reads the
    later forms only for the values the earlier ones could not read. (A cast to `timestamp`
    would be cheaper still, but it reads '2025-01-01T10:2 :14Z' as 10:02.) Every path reads
    the same instant (tests/test_dbt_project.py). -#}
{% macro duckdb__to_utc_timestamp(expression) -%}
    {%- set text = 'cast(' ~ expression ~ ' as varchar)' -%}
    coalesce(
        case
            when length({{ text }}) not in (19, 20) then null
            when {{ text }} like '____-__-__T__:__:__Z' then try_strptime({{ text }}, '%Y-%m-%dT%H:%M:%SZ')
            when {{ text }} like '____-__-__T__:__:__' then try_strptime({{ text }}, '%Y-%m-%dT%H:%M:%S')
            when {{ text }} like '____-__-__ __:__:__' then try_strptime({{ text }}, '%Y-%m-%d %H:%M:%S')
        end,
        timezone('UTC', try_cast({{ text }} as timestamptz)),
        timezone('UTC', try_cast(replace(upper({{ text }}), ',', '.') as timestamptz))
    )
{%- endmacro %}

{#- PostgreSQL has no try_cast, and casting text to `timestamp` drops an offset. The text is
    upper-cased with a comma made a point, checked against the ISO 8601 grammar of
    iso_timestamp_pattern and the length of its month first (so no cast can fail), then put in
    one normal form: seconds where only minutes were given, fractional seconds cut to
    microseconds (as DuckDB reads them), a missing time is midnight and a missing offset is UTC.
    The cast to timestamptz converts the offset, whatever the session time zone. -#}
{% macro postgres__to_utc_timestamp(expression) -%}
    {%- set text = "replace(upper(trim(cast(" ~ expression ~ " as text))), ',', '.')" -%}
    {%- set with_seconds = "case when length(" ~ text ~ ") = 10 then " ~ text ~ " || 'T00:00:00'"
        ~ " when substr(" ~ text ~ ", 17, 1) = ':' then " ~ text
        ~ " else substr(" ~ text ~ ", 1, 16) || ':00' || substr(" ~ text ~ ", 17) end" -%}
    {%- set normal = "regexp_replace(" ~ with_seconds ~ ", '([.][0-9]{6})[0-9]+', '\\1')" -%}
    case when {{ text }} ~ {{ plg_kpis.iso_timestamp_pattern() }} then
        case when {{ plg_kpis.is_real_date(text) }} then
            cast(
                case when {{ normal }} ~ '(Z|[+-][0-9:]+)$' then {{ normal }} else {{ normal }} || '+00:00' end
                as timestamptz
            ) at time zone 'UTC'
        end
    end
{%- endmacro %}

{#- Spark converts an offset when it casts text to a timestamp, but reads text without one in
    the session time zone and needs the seconds; the same checks and normal form as on
    PostgreSQL make the result independent of the session time zone and of ANSI mode. -#}
{% macro spark__to_utc_timestamp(expression) -%}
    {%- set text = "replace(upper(trim(cast(" ~ expression ~ " as string))), ',', '.')" -%}
    {%- set with_seconds = "case when length(" ~ text ~ ") = 10 then " ~ text ~ " || 'T00:00:00'"
        ~ " when substr(" ~ text ~ ", 17, 1) = ':' then " ~ text
        ~ " else substr(" ~ text ~ ", 1, 16) || ':00' || substr(" ~ text ~ ", 17) end" -%}
    {%- set normal = "regexp_replace(" ~ with_seconds ~ ", '([.][0-9]{6})[0-9]+', '$1')" -%}
    case when {{ text }} rlike {{ plg_kpis.iso_timestamp_pattern() }} then
        case when {{ plg_kpis.is_real_date(text) }} then
            try_cast(
                case when {{ normal }} rlike '(Z|[+-][0-9:]+)$' then {{ normal }} else {{ normal }} || '+00:00' end
                as timestamp
            )
        end
    end
{%- endmacro %}

{#- The cloud warehouses below are not run in this project's CI; each uses its own lenient
    parser that returns NULL on unreadable text, converts an explicit offset, and reads text
    without one in the session time zone (set it to UTC: see README, Warehouses). -#}

{#- Snowflake: the offset converted to UTC, then the wall clock kept as TIMESTAMP_NTZ. -#}
{% macro snowflake__to_utc_timestamp(expression) -%}
    cast(convert_timezone('UTC', try_to_timestamp_tz(trim(cast({{ expression }} as varchar)))) as timestamp_ntz)
{%- endmacro %}

{#- BigQuery: TIMESTAMP is an instant; text without an offset is UTC. -#}
{% macro bigquery__to_utc_timestamp(expression) -%}
    safe_cast(trim(cast({{ expression }} as string)) as timestamp)
{%- endmacro %}

{#- Trino: ISO 8601 with a 'T' between date and time. -#}
{% macro trino__to_utc_timestamp(expression) -%}
    cast(try(from_iso8601_timestamp(trim(cast({{ expression }} as varchar)))) at time zone 'UTC' as timestamp(6))
{%- endmacro %}
