{#- A table of several files is read as the union of their columns (union_by_name), so a file
    without a column the others have would give its rows an empty value there without a word
    (a required column's check would blame the rows, an optional one's nothing). Each file's
    header (CSV, sniffed from its first line) or schema (Parquet, its metadata) is read, and a
    file that lacks such a column stops the run, naming it. An empty (0-byte) file is passed
    over: it has no rows. `files_of`: each raw table's files (data_dir_files), by source name. -#}
{% macro check_columns_of_each_file(files_of) %}
    {%- set folder = plg_kpis.normal_path(var('data_dir')) -%}
    {%- set tables = {} -%}
    {%- for source in graph.sources.values() if source.package_name == project_name -%}
        {%- set files = files_of.get(source.name, []) -%}
        {%- if files | length > 1 -%}
            {%- do tables.update({source.name: {'files': files, 'columns': source.columns.keys() | map('lower') | list}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not tables -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for table in tables.values() -%}
        {%- for file in table.files -%}
            {%- do quoted.append(plg_kpis.quoted_string(file)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- call statement('plg_file_sizes', fetch_result=True, auto_begin=False) -%}
        select filename from read_blob([{{ quoted | join(', ') }}]) where size > 0
    {%- endcall -%}
    {%- set non_empty = load_result('plg_file_sizes').table.columns[0].values() -%}
    {%- set headers = [] -%}
    {%- for name, table in tables.items() -%}
        {%- for file in table.files if file in non_empty -%}
            {%- set reader = ("read_csv(" ~ plg_kpis.quoted_string(file) ~ ", " ~ plg_kpis.csv_read_options()
                ~ ", sample_size = 1)") if (file | lower).endswith('.csv')
                else "read_parquet(" ~ plg_kpis.quoted_string(file) ~ ")" -%}
            {%- do headers.append("select " ~ plg_kpis.quoted_string(name) ~ " as table_name, " ~ plg_kpis.quoted_string(file)
                ~ " as file, lower(column_name) as column_name from (describe select * from " ~ reader ~ ")") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not headers -%}
        {{ return(none) }}
    {%- endif -%}
    {%- call statement('plg_file_columns', fetch_result=True, auto_begin=False) -%}
        {{ headers | join('\nunion all\n') }}
    {%- endcall -%}
    {%- set columns_of = {} -%}
    {%- for row in load_result('plg_file_columns').table.rows -%}
        {%- do columns_of.setdefault(row[0], {}).setdefault(row[1], []).append(row[2]) -%}
    {%- endfor -%}
    {%- set lacking = [] -%}
    {%- for name, files in columns_of.items() -%}
        {%- set in_some_file = [] -%}
        {%- for columns in files.values() -%}
            {%- do in_some_file.extend(columns) -%}
        {%- endfor -%}
        {%- for file, columns in files.items() -%}
            {%- set absent = [] -%}
            {%- for column in tables[name].columns if column in in_some_file and column not in columns -%}
                {%- do absent.append(column) -%}
            {%- endfor -%}
            {%- if absent -%}
                {%- do lacking.append(file[folder | length:].lstrip('/') ~ " (" ~ absent | join(', ') ~ ")") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if lacking -%}
        {{ exceptions.raise_compiler_error(
            "Input folder " ~ folder ~ ": " ~ lacking | length ~ " file" ~ ("s lack" if lacking | length > 1 else " lacks")
            ~ " a column the other files of its table have, which would be empty in "
            ~ ("their" if lacking | length > 1 else "its") ~ " rows: " ~ lacking[:5] | join('; ')
            ~ ("; ..." if lacking | length > 5 else "") ~ ". Every file of a table needs each of its columns.") }}
    {%- endif -%}
{% endmacro %}
