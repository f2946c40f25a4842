{#- Whether two rows name the same file, unchanged: the same path, size and modification time
    (data_dir_file_states). The one test of "a file the last build read, not changed since". -#}
{% macro is_same_file(left, right) -%}
    {{ left }}.source_file = {{ right }}.source_file
    and {{ left }}.file_size = {{ right }}.file_size
    and {{ left }}.file_modified_at = {{ right }}.file_modified_at
{%- endmacro %}
