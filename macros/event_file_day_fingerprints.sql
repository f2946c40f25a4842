{#- One row per file and UTC day of raw product events (`relation`: base_product__events or a
    filter of it): the file, the day, how many raw rows it holds (exact duplicates included) and
    the sum of their row fingerprints. Two such summaries agree on a file's day exactly when its
    raw rows are the same (up to a hash collision); the sums of a day over its files agree
    exactly when the day's rows are the same. -#}
{% macro event_file_day_fingerprints(relation) -%}
    select
        source_file,
        occurred_on,
        count(*) as event_rows,
        {{ plg_kpis.fingerprint_sum(plg_kpis.row_fingerprint(['event_id', 'user_id', 'account_id', 'event_name', 'occurred_at'])) }} as fingerprint
    from {{ relation }}
    group by 1, 2
{%- endmacro %}
