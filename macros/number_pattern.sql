{#- A decimal number as text, as a regular expression literal (POSIX and Java alike, no
    backslash): an optional sign, digits with an optional decimal point (or a point and
    digits), and an optional exponent of up to three digits; at most 40 characters before the
    point, so that every match is a number the engine can hold. -#}
{% macro number_pattern() -%}
    '^[+-]?([0-9]{1,40}([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'
{%- endmacro %}
