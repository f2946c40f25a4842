{#- The hashes that occur more than once in `hashed_keys`, a query of one column `key_hash` (the
    row_fingerprint of an id, one row per raw row), each once: the ids on more than one raw row,
    up to a collision. Where exact duplicates are collapsed (stg_product__events) and where
    conflicting ones are looked for (the input checks), only these ids' rows are compared.
    Dispatched: grouping is the portable form; DuckDB finds them faster by sorting the hashes
    and comparing each with the one before (7 s against 18 to 21 s for 100 million distinct
    hashes: a hash table of 100 million groups is the costly part). An unpartitioned window
    would run on one task on Spark, so the others group. -#}
{% macro repeated_hashes(hashed_keys) -%}
    {{ return(adapter.dispatch('repeated_hashes', 'plg_kpis')(hashed_keys)) }}
{%- endmacro %}

{% macro default__repeated_hashes(hashed_keys) -%}
    select key_hash
    from ({{ hashed_keys }}) as hashed_keys
    group by key_hash
    having count(*) > 1
{%- endmacro %}

{% macro duckdb__repeated_hashes(hashed_keys) -%}
    select distinct key_hash
    from (
        select
            key_hash,
            lag(key_hash) over (order by key_hash) as previous_key_hash
        from ({{ hashed_keys }}) as hashed_keys
    ) as sorted_keys
    where key_hash = previous_key_hash
{%- endmacro %}
