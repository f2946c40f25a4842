{#- True when the 'YYYY-MM-DD' that starts `text` (already matched by iso_timestamp_pattern)
    names a day that exists: a year from 1, and a day within its month's length (leap years
    included). Integer arithmetic only, so it cannot fail on any value. -#}
{% macro is_real_date(text) -%}
    {%- set year = 'cast(substr(' ~ text ~ ', 1, 4) as integer)' -%}
    {%- set month = 'cast(substr(' ~ text ~ ', 6, 2) as integer)' -%}
    {%- set day = 'cast(substr(' ~ text ~ ', 9, 2) as integer)' -%}
    ({{ year }} >= 1 and {{ day }} <= case
        when {{ month }} = 2 then case when ({{ year }} % 4 = 0 and {{ year }} % 100 <> 0) or {{ year }} % 400 = 0 then 29 else 28 end
        when {{ month }} in (4, 6, 9, 11) then 30
        else 31
    end)
{%- endmacro %}
