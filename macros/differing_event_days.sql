{#- A scalar select: how many UTC days differ (in row count or fingerprint, either way) between
    the raw events summarised in `files` (base_product__events_files, added up by day) and
    `staged_days` (the days stg_product__events holds). 0 when what is staged is exactly what
    was summarised. No CTE, so that it can stand as a subquery on every engine. -#}
{% macro differing_event_days(files, staged_days) -%}
    {%- set file_days = 'select occurred_on, cast(sum(event_rows) as ' ~ dbt.type_bigint() ~ ') as event_rows, sum(fingerprint) as fingerprint from '
        ~ files ~ ' group by occurred_on' -%}
    {%- set staged_file_days = 'select occurred_on, event_rows, fingerprint from ' ~ staged_days -%}
    select
        (select count(*) from ({{ file_days }} except {{ staged_file_days }}) as unstaged_days)
        + (select count(*) from ({{ staged_file_days }} except {{ file_days }}) as unsummarised_days)
{%- endmacro %}
