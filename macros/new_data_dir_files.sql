{#- The files of raw table `table_name` in var data_dir that `known` (a relation with
    source_file, file_size and file_modified_at, as base_product__events_files) does not hold
    unchanged: new files, and files whose size or modification time changed. A sorted list. -#}
{% macro new_data_dir_files(table_name, known) %}
    {%- set new_files_sql -%}
        with file_states as (
            {{ plg_kpis.data_dir_file_states(table_name) }}
        )
        select file_states.source_file from file_states
        where not exists (
            select 1 from {{ known }} as known
            where {{ plg_kpis.is_same_file('known', 'file_states') }})
        order by 1
    {%- endset -%}
    {{ return(run_query(new_files_sql).columns[0].values() | list) }}
{% endmacro %}
