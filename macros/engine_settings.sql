{#- An on-run-start hook, on DuckDB: with PLG_THREADS set (plg build --threads), DuckDB's worker
    threads are capped at that number too (a setting of the whole database, so every dbt
    thread's connection has it); unset, DuckDB uses every core and dbt runs two nodes at a time.
    Then logs the engine settings the build runs with (threads, memory limit, spill folder) to
    dbt's log, where a slow or spilling build can be looked into. -#}
{% macro engine_settings() %}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set threads = env_var('PLG_THREADS', '') -%}
    {%- if threads -%}
        {%- do run_query('set threads = ' ~ (threads | int)) -%}
    {%- endif -%}
    {%- set settings = run_query("select current_setting('threads'), current_setting('memory_limit'), current_setting('temp_directory')").rows[0] -%}
    {%- do log("DuckDB settings: threads " ~ settings[0] ~ ", memory_limit " ~ settings[1] ~ ", temp_directory " ~ settings[2], info=True) -%}
    {{ return('') }}
{% endmacro %}
