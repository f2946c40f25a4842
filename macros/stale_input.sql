{#- A sentence for a raw table whose newest instant (text 'YYYY-MM-DD hh:mm:ss...', UTC) is older
    than its freshness warn_after at the start of this build, as a list of zero or one. -#}
{% macro stale_input(source, newest_at) -%}
    {%- set freshness = source.freshness or source.config.get('freshness') -%}
    {%- set hours_per = {'minute': 1 / 60, 'hour': 1, 'day': 24} -%}
    {%- set allowed_hours = freshness.warn_after.count * hours_per.get(freshness.warn_after.period, 1) -%}
    {%- if newest_at is none -%}
        {{ return([source.name ~ " has no rows"]) }}
    {%- endif -%}
    {%- set newest = modules.datetime.datetime.strptime((newest_at | string)[:19], '%Y-%m-%d %H:%M:%S') -%}
    {%- set now = run_started_at.replace(tzinfo=none) -%}
    {%- set age_hours = (now - newest).total_seconds() / 3600 -%}
    {%- if age_hours > allowed_hours -%}
        {{ return(["the newest row of " ~ source.name ~ " is from " ~ newest.strftime('%Y-%m-%d %H:%M') ~ " UTC, "
            ~ "{:,.0f}".format(age_hours) ~ " hours before this build (more than " ~ "{:g}".format(allowed_hours) ~ ")"]) }}
    {%- endif -%}
    {{ return([]) }}
{%- endmacro %}
