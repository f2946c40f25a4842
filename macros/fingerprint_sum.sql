{#- The sum of many row fingerprints, in a type wide enough for a hundred million 64-bit values
    (each cast before it is added). -#}
{% macro fingerprint_sum(fingerprint) -%}
    {{ return(adapter.dispatch('fingerprint_sum', 'plg_kpis')(fingerprint)) }}
{%- endmacro %}

{% macro default__fingerprint_sum(fingerprint) -%}
    sum(cast({{ fingerprint }} as decimal(38, 0)))
{%- endmacro %}

{#- BigQuery's NUMERIC holds 29 integer digits; BIGNUMERIC more. -#}
{% macro bigquery__fingerprint_sum(fingerprint) -%}
    sum(cast({{ fingerprint }} as bignumeric))
{%- endmacro %}
