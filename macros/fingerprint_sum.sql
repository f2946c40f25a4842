{#- The sum of many row fingerprints, in a type wide enough for a hundred million 64-bit values
    (each cast before it is added). `copies`, when given, is how many rows each fingerprint
    stands for (a deduplicated row and its raw_rows): the sum is the same as over the copies. -#}
{% macro fingerprint_sum(fingerprint, copies=none) -%}
    {{ return(adapter.dispatch('fingerprint_sum', 'plg_kpis')(fingerprint, copies)) }}
{%- endmacro %}

{% macro default__fingerprint_sum(fingerprint, copies=none) -%}
    sum(cast({{ fingerprint }} as decimal(38, 0)){{ (' * ' ~ copies) if copies else '' }})
{%- endmacro %}

{#- BigQuery's NUMERIC holds 29 integer digits; BIGNUMERIC more. -#}
{% macro bigquery__fingerprint_sum(fingerprint, copies=none) -%}
    sum(cast({{ fingerprint }} as bignumeric){{ (' * ' ~ copies) if copies else '' }})
{%- endmacro %}
