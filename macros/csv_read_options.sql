{#- How every CSV file of the raw tables is read (DuckDB's read_csv options): a header row,
    comma separators, double-quote quoting, every column as text. skip = 0: the header is the
    first line; left to guess, DuckDB takes a later line for the header when one row has
    another number of fields (and reads no row). The warehouse loader reads CSV with the same
    options (cli/plg/loaders.py, CSV_READ_OPTIONS): change both together. -#}
{% macro csv_read_options() -%}
    header = true, skip = 0, all_varchar = true, delim = ',', quote = '"', escape = '"'
{%- endmacro %}
