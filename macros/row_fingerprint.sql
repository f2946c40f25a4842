{#- An integer hash of a row's values, for telling whether a set of rows changed: the sum of
    the hashes of a day's rows changes when a row is added, removed or altered. Not a key, and
    not stable across engines; only compared with itself on one engine. Dispatched: there is
    no ANSI hash function. -#}
{% macro row_fingerprint(columns) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'plg_kpis')(columns)) }}
{%- endmacro %}

{#- Snowflake has `hash(...)`, returning a 64-bit integer. -#}
{% macro default__row_fingerprint(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro duckdb__row_fingerprint(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_fingerprint(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{#- PostgreSQL hashes one text: the values are joined with a separator, NULL written as a
    character that cannot appear in text. -#}
{% macro postgres__row_fingerprint(columns) -%}
    hashtextextended(concat_ws(chr(31){% for column in columns %}, coalesce(cast({{ column }} as text), chr(30)){% endfor %}), 0)
{%- endmacro %}

{% macro bigquery__row_fingerprint(columns) -%}
    farm_fingerprint(to_json_string(struct({{ columns | join(', ') }})))
{%- endmacro %}

{% macro trino__row_fingerprint(columns) -%}
    from_big_endian_64(xxhash64(to_utf8(concat_ws(chr(31){% for column in columns %}, coalesce(cast({{ column }} as varchar), chr(30)){% endfor %}))))
{%- endmacro %}

{#- Redshift: FNV-1a over each value in turn (the previous hash as the seed). -#}
{% macro redshift__row_fingerprint(columns) -%}
    {%- set ns = namespace(expression='') -%}
    {%- for column in columns -%}
        {%- set value = "coalesce(cast(" ~ column ~ " as varchar), chr(30))" -%}
        {%- set ns.expression = ("fnv_hash(" ~ value ~ ")") if loop.first else ("fnv_hash(" ~ value ~ ", " ~ ns.expression ~ ")") -%}
    {%- endfor -%}
    {{ ns.expression }}
{%- endmacro %}
