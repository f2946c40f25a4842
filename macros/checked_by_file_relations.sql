{#- The models a raw table checked by part (source meta checked_by_file) is compared with, as
    they are in the database now: a dict of `files` (its summary by file and day), `staged` (its
    distinct typed rows) and `staged_days` (the day summary of what is staged); none when one
    of them was never built (a first build). -#}
{% macro checked_by_file_relations(by_file) %}
    {%- set relations = {} -%}
    {%- for role in ('files', 'staged', 'staged_days') -%}
        {%- set relation = plg_kpis.existing_model_relation(by_file[role]) -%}
        {%- if relation is none -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do relations.update({role: relation}) -%}
    {%- endfor -%}
    {{ return(relations) }}
{% endmacro %}
