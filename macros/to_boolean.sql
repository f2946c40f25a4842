{#- Raw text to a boolean: true/false, t/f, 1/0, yes/no in any case. Anything else is NULL. -#}
{% macro to_boolean(expression) -%}
    {{ return(adapter.dispatch('to_boolean', 'plg_kpis')(expression)) }}
{%- endmacro %}

{% macro default__to_boolean(expression) -%}
    case
        when lower(trim(cast({{ expression }} as {{ dbt.type_string() }}))) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim(cast({{ expression }} as {{ dbt.type_string() }}))) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}
