{#- The ISO 8601 timestamps the warehouses without try_cast accept, as a regular expression
    literal (POSIX and Java alike, no backslash): a date, optionally followed by 'T' or a space,
    hours and minutes, optional seconds with optional fractional digits, and an optional 'Z' or
    numeric offset (+hh, +hhmm, +hh:mm). Text is trimmed, upper-cased and its commas made points
    (ISO 8601 allows a comma before the fractional seconds) before it is matched. -#}
{% macro iso_timestamp_pattern() -%}
    '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?)?$'
{%- endmacro %}
