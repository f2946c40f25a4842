{#- The incremental strategy `reload` (DuckDB, PostgreSQL and the warehouses with `delete`):
    delete every row of the target from a reload point on, then insert the new rows. The model
    names the column (config `reload_column`, e.g. a day or a month) and where the reload point
    is (config `reload_from`: '<model>.<column>', a one-row model built before it). Unlike
    delete+insert on a key, a day or month that is gone from the source is deleted too. -#}
{% macro get_incremental_reload_sql(arg_dict) %}
    {%- set column = config.get('reload_column') -%}
    {%- set reload_from = config.get('reload_from') -%}
    {%- if not column or not reload_from or reload_from.split('.') | length != 2 -%}
        {{ exceptions.raise_compiler_error("The incremental strategy 'reload' needs the configs reload_column (a column) and reload_from ('<model>.<column>').") }}
    {%- endif -%}
    {%- set model_name, value_column = reload_from.split('.') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ column }} >= (select {{ value_column }} from {{ plg_kpis.existing_model_relation(model_name) }});

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
