{#- The files of raw table `table_name` in the folder of var `data_dir` (DuckDB only), in
    order: `<table>.csv`, `<table>.parquet` and the CSV and Parquet files of a folder
    `<table>/`. An empty list when data_dir is not set, or while parsing. -#}
{% macro data_dir_files(table_name) %}
    {%- if not execute or not var('data_dir') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set pattern_base = var('data_dir').rstrip('/') ~ '/' ~ table_name -%}
    {%- set patterns = [pattern_base ~ '.csv', pattern_base ~ '/*.csv', pattern_base ~ '.parquet', pattern_base ~ '/*.parquet'] -%}
    {%- set globs = [] -%}
    {%- for pattern in patterns -%}
        {%- do globs.append('select file from glob(' ~ plg_kpis.quoted_string(pattern) ~ ')') -%}
    {%- endfor -%}
    {%- call statement('plg_find_files', fetch_result=True, auto_begin=False) -%}
        {{ globs | join(' union all ') }} order by 1
    {%- endcall -%}
    {{ return(load_result('plg_find_files').table.columns[0].values() | list) }}
{% endmacro %}
