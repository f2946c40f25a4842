{#- One row per UTC day of product events: the day, how many raw rows it holds (exact
    duplicates included) and the sum of their row fingerprints. Two such summaries agree on a
    day exactly when its raw rows are the same (up to a hash collision). Of the raw events
    (one row per raw row), or of the staged ones (`copies`: the column saying how many raw
    rows each staged row was), which give the same summary of the same raw rows. -#}
{% macro event_day_fingerprints(relation, copies=none, where=none) -%}
    select
        occurred_on,
        {{ ('cast(sum(' ~ copies ~ ') as ' ~ dbt.type_bigint() ~ ')') if copies else 'count(*)' }} as event_rows,
        {{ plg_kpis.fingerprint_sum(plg_kpis.row_fingerprint(['event_id', 'user_id', 'account_id', 'event_name', 'occurred_at']), copies) }} as fingerprint
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    group by occurred_on
{%- endmacro %}
