{#- A folder's path written as DuckDB's glob writes the paths it finds: no empty or `.` part, a
    `..` after a name cancels it, no trailing `/` ('/' for the root, '' for the working folder). -#}
{% macro normal_path(path) %}
    {%- set parts = [] -%}
    {%- for part in path.split('/') -%}
        {%- if part == '..' and parts and parts[-1] != '..' -%}
            {%- do parts.pop() -%}
        {%- elif part not in ('', '.') -%}
            {%- do parts.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(('/' if path.startswith('/') else '') ~ parts | join('/')) }}
{% endmacro %}
