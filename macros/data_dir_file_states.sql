{#- A select of the identity of each file of raw table `table_name` in var `data_dir`: its
    path (source_file), size in bytes (file_size) and last modification (file_modified_at),
    read from the file system, not from the file's content. No rows when there is no file. -#}
{% macro data_dir_file_states(table_name) %}
    {%- set files = plg_kpis.data_dir_files(table_name) -%}
    {%- if not files -%}
        {{ return("select cast(null as " ~ dbt.type_string() ~ ") as source_file, cast(null as " ~ dbt.type_bigint()
            ~ ") as file_size, cast(null as " ~ dbt.type_timestamp() ~ ") as file_modified_at where 1 = 0") }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for file in files -%}
        {%- do quoted.append(plg_kpis.quoted_string(file)) -%}
    {%- endfor -%}
    {{ return("select filename as source_file, size as file_size, last_modified as file_modified_at"
        ~ " from read_blob([" ~ quoted | join(', ') ~ "])") }}
{% endmacro %}
