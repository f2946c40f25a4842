{#- One row per UTC day of raw product events: the day, how many raw rows it holds (exact
    duplicates included) and the sum of their row fingerprints. Two such summaries of the
    source agree on a day exactly when its raw rows are the same (up to a hash collision). -#}
{% macro event_day_fingerprints(relation) -%}
    select
        occurred_on,
        count(*) as event_rows,
        {{ plg_kpis.fingerprint_sum(plg_kpis.row_fingerprint(['event_id', 'user_id', 'account_id', 'event_name', 'occurred_at'])) }} as fingerprint
    from {{ relation }}
    group by occurred_on
{%- endmacro %}
