{#- One row per day of product events: the day, how many raw rows it holds and the sum of their
    row fingerprints. Computed on the typed raw rows (each row counts once) and on the staged
    rows (each counts for the `source_rows` it stands for), the two agree exactly when staging
    holds that day's events as they are in the source. -#}
{% macro event_day_fingerprints(relation, weight='1') -%}
    select
        occurred_on,
        sum({{ weight }}) as event_rows,
        {{ plg_kpis.fingerprint_sum(plg_kpis.row_fingerprint(['event_id', 'user_id', 'account_id', 'event_name', 'occurred_at']), weight) }} as fingerprint
    from {{ relation }}
    group by occurred_on
{%- endmacro %}
