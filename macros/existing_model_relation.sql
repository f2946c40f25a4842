{#- The relation of a model of this project as it is in the database now (none if it was never
    built), without a ref: for a model that compares its input with what another model built
    from it last time, where a ref would make a cycle. -#}
{% macro existing_model_relation(model_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("No model named " ~ model_name) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
