{#- The files of raw table `table_name` in the folder of var `data_dir` (DuckDB only), sorted:
    `<table>.csv` and `<table>.parquet`, and every CSV or Parquet file under a folder
    `<table>/`, at any depth (`<table>/day=2026-01-01/part-0.parquet` too). The extension's
    case does not matter. Under `<table>/`, a file or folder whose name starts with `.` or `_`
    is not data and is passed over: hidden files (`._x.csv` a copy from macOS leaves) and the
    bookkeeping of Spark and Hadoop (`_SUCCESS`, `_temporary/` while a job writes). Any other
    file there (`part-1.csv.gz`, `part-1.txt`) stops the run: its rows would not be read, and a
    table missing rows gives wrong numbers without a word. An empty list when data_dir is not
    set, or while parsing. -#}
{% macro data_dir_files(table_name) %}
    {%- if not execute or not var('data_dir') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set folder = plg_kpis.normal_path(var('data_dir')) -%}
    {%- set table_folder = folder ~ ('/' if folder and not folder.endswith('/') else '') ~ table_name -%}
    {%- call statement('plg_find_files', fetch_result=True, auto_begin=False) -%}
        select file from glob({{ plg_kpis.quoted_string(table_folder ~ '.*') }})
        union all
        select file from glob({{ plg_kpis.quoted_string(table_folder ~ '/**') }})
        order by 1
    {%- endcall -%}
    {%- set files = [] -%}
    {%- set unread = [] -%}
    {%- for file in load_result('plg_find_files').table.columns[0].values() -%}
        {%- set name = file.split('/')[-1] -%}
        {%- set extension = name.split('.')[-1] | lower if '.' in name else '' -%}
        {%- if file.startswith(table_folder ~ '/') -%}
            {#- The parts of the path below <table>/: none may start with '.' or '_'. -#}
            {%- set passed_over = [] -%}
            {%- for part in file[table_folder | length + 1:].split('/') if part[:1] in ('.', '_') -%}
                {%- do passed_over.append(part) -%}
            {%- endfor -%}
            {%- if passed_over -%}
                {#- Not data. -#}
            {%- elif extension in ('csv', 'parquet') -%}
                {%- do files.append(file) -%}
            {%- else -%}
                {%- do unread.append(file[folder | length:].lstrip('/')) -%}
            {%- endif -%}
        {%- elif name | lower in (table_name ~ '.csv', table_name ~ '.parquet') -%}
            {%- do files.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if unread -%}
        {%- set many = unread | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Input folder " ~ folder ~ ": " ~ table_name ~ "/ has " ~ unread | length ~ (" files" if many else " file")
            ~ " neither .csv nor .parquet, whose rows would not be read (" ~ ("e.g. " if unread | length > 3 else "")
            ~ unread[:3] | join(', ') ~ "). Convert or remove " ~ ("them" if many else "it")
            ~ ", or start " ~ ("their names" if many else "its name") ~ " with _ or . to pass "
            ~ ("them" if many else "it") ~ " over.") }}
    {%- endif -%}
    {{ return(files) }}
{% endmacro %}
