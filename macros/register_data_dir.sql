{#- When var `data_dir` names a folder, make each raw table of the project's sources a view over
    its files there: `<table>.csv`, `<table>.parquet`, or a sub-folder `<table>/` of such files
    (at any depth) that together make the table (data_dir_files). Every column is read as text;
    typing is staging's job. One more column, plg_source_file, names the file of each row (a
    filter on it reads only the files it names). Runs as an on-run-start hook; a table with no file stops the run with a
    message naming it. -#}
{% macro register_data_dir() %}
    {%- if execute and var('data_dir') and flags.WHICH in ('run', 'build', 'test', 'compile', 'show') -%}
        {{ return(adapter.dispatch('register_data_dir', 'plg_kpis')(var('data_dir'))) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro default__register_data_dir(data_dir) %}
    {{ exceptions.raise_compiler_error(
        "var 'data_dir' (a folder of files) works on DuckDB only. On " ~ target.type
        ~ ", load the files into a schema and set var 'raw_schema' instead (plg build --data-dir does this for you).") }}
{% endmacro %}

{% macro duckdb__register_data_dir(data_dir) %}
    {%- set folder = data_dir.rstrip('/') -%}
    {%- set missing = [] -%}
    {%- set statements = [] -%}
    {%- set schemas = [] -%}
    {%- set to_drop = [] -%}
    {%- set created = [] -%}
    {#- Tables (e.g. an earlier load) where the views go are dropped first. Every query here runs
        outside a transaction: the hook's views must persist. -#}
    {%- call statement('plg_existing_tables', fetch_result=True, auto_begin=False) -%}
        select schema_name, table_name from duckdb_tables() where database_name = current_database()
    {%- endcall -%}
    {%- set existing_tables = {} -%}
    {%- for row in load_result('plg_existing_tables').table.rows -%}
        {%- do existing_tables.setdefault(row[0], []).append(row[1]) -%}
    {%- endfor -%}
    {%- set files_of = {} -%}
    {%- for source in graph.sources.values() if source.package_name == project_name -%}
        {%- set csv_files = [] -%}
        {%- set parquet_files = [] -%}
        {%- set files = plg_kpis.data_dir_files(source.name) -%}
        {%- do files_of.update({source.name: files}) -%}
        {%- for file in files -%}
            {%- if (file | lower).endswith('.csv') -%}
                {%- do csv_files.append(plg_kpis.quoted_string(file)) -%}
            {%- else -%}
                {%- do parquet_files.append(plg_kpis.quoted_string(file)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if csv_files | length + parquet_files | length == 0 -%}
            {%- do missing.append(source.name) -%}
        {%- else -%}
            {%- set readers = [] -%}
            {%- if csv_files -%}
                {%- do readers.append(
                    "select * from read_csv([" ~ csv_files | join(', ') ~ "], " ~ plg_kpis.csv_read_options()
                    ~ ", union_by_name = true, filename = 'plg_source_file')") -%}
            {%- endif -%}
            {%- if parquet_files -%}
                {%- do readers.append(
                    "select columns(*)::varchar from read_parquet([" ~ parquet_files | join(', ') ~ "], union_by_name = true, filename = 'plg_source_file')") -%}
            {%- endif -%}
            {%- set relation = api.Relation.create(database=source.database, schema=source.schema, identifier=source.identifier) -%}
            {%- if source.schema not in schemas -%}
                {%- do schemas.append(source.schema) -%}
            {%- endif -%}
            {%- if source.identifier in existing_tables.get(source.schema, []) -%}
                {%- do to_drop.append(relation) -%}
            {%- endif -%}
            {%- do statements.append("create or replace view " ~ relation ~ " as " ~ readers | join(' union all by name ')) -%}
            {%- do created.append(relation.incorporate(type='view')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "Input folder " ~ folder ~ " has no file for table(s): " ~ missing | join(', ')
            ~ ". Each table is <table>.csv, <table>.parquet, or a folder <table>/ of such files.") }}
    {%- endif -%}
    {%- do plg_kpis.check_columns_of_each_file(files_of) -%}
    {#- Tell dbt's relation cache, filled before the hooks ran, about the new views. -#}
    {%- for relation in created -%}
        {%- do adapter.cache_added(relation) -%}
    {%- endfor -%}
    {#- Returned as the hook's SQL, which dbt runs outside a transaction, so the views persist. -#}
    {%- set sql = [] -%}
    {%- for schema in schemas -%}
        {%- do sql.append("create schema if not exists " ~ adapter.quote(schema)) -%}
    {%- endfor -%}
    {%- for relation in to_drop -%}
        {%- do sql.append("drop table if exists " ~ relation) -%}
    {%- endfor -%}
    {{ return((sql + statements) | join(';\n')) }}
{% endmacro %}
