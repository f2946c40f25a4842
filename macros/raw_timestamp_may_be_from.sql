{#- A condition on a raw timestamp as written (`expression`), true for every row whose UTC day
    may be `first_day` ('YYYY-MM-DD') or later, without typing it: the text from the day before
    on (a written offset moves the date by less than a day), and any text that does not begin
    with a date in that form, or is missing. A cheap filter before the exact, typed one, so a
    build that reloads the last days does not type the history's timestamps. -#}
{% macro raw_timestamp_may_be_from(expression, first_day) -%}
    {%- if first_day <= '0001-01-01' -%}
        {{ return('(1 = 1)') }}
    {%- endif -%}
    {%- set text = 'cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- set day_before = (modules.datetime.date.fromisoformat(first_day) - modules.datetime.timedelta(days=1)).isoformat() -%}
    ({{ text }} is null or {{ text }} >= '{{ day_before }}' or {{ text }} not like '____-__-__%')
{%- endmacro %}
