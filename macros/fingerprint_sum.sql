{#- The sum of many fingerprints, each counted `weight` times, in a type wide enough for a
    hundred million 64-bit values (cast before multiplying, which could overflow). -#}
{% macro fingerprint_sum(fingerprint, weight) -%}
    {{ return(adapter.dispatch('fingerprint_sum', 'plg_kpis')(fingerprint, weight)) }}
{%- endmacro %}

{% macro default__fingerprint_sum(fingerprint, weight) -%}
    sum(cast({{ fingerprint }} as decimal(38, 0)) * {{ weight }})
{%- endmacro %}

{#- BigQuery's NUMERIC holds 29 integer digits; BIGNUMERIC more. -#}
{% macro bigquery__fingerprint_sum(fingerprint, weight) -%}
    sum(cast({{ fingerprint }} as bignumeric) * {{ weight }})
{%- endmacro %}
