{#- Whether `expression` is one of the texts of a list var, as a parenthesised boolean: true when
    it is, false when it is not (NULL when `expression` is NULL and the list is not empty). A
    single text is taken as a list of one. An empty list gives false, never NULL, so that its
    negation is true for every row: no list literal can stand for the empty list (`x in (NULL)`
    and `x not in (NULL)` are both NULL, and `in ()` is not SQL). -#}
{% macro is_in_string_list(expression, var_name) -%}
    {%- set values = var(var_name) -%}
    {%- if values is string -%}
        {%- set values = [values] -%}
    {%- endif -%}
    {%- if values is mapping or values is not iterable -%}
        {{ exceptions.raise_compiler_error("var '" ~ var_name ~ "' must be a list of texts, got: " ~ values) }}
    {%- endif -%}
    {%- if values | length == 0 -%}
        (1 = 0)
    {%- else -%}
        ({{ expression }} in ({% for value in values %}{{ plg_kpis.quoted_string(value) }}{% if not loop.last %}, {% endif %}{% endfor %}))
    {%- endif -%}
{%- endmacro %}
