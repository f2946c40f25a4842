{#- The plan-in-force test: the plan span `span` (a row of int_account_plans_spanned) is the one
    in force at `instant`, i.e. it was set by the latest change strictly before the instant:
    valid_from < instant <= valid_to (valid_to NULL = still in force). -#}
{% macro is_in_force(span, instant) -%}
    ({{ span }}.valid_from < {{ instant }} and ({{ span }}.valid_to is null or {{ instant }} <= {{ span }}.valid_to))
{%- endmacro %}
