{#- ' (e.g. <key> a, b, c)' from the first column of a query result, for the input checks' messages. -#}
{% macro example_ids(key, examples) -%}
    {%- set ids = [] -%}
    {%- for row in examples.rows if row[0] is not none -%}
        {%- do ids.append(row[0]) -%}
    {%- endfor -%}
    {{- return(' (e.g. ' ~ key ~ ' ' ~ ids | join(', ') ~ ')' if ids else '') -}}
{%- endmacro %}
