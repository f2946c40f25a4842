{#- The settings the incremental event models are computed with, as one text. When it differs
    from the text their last build was made with, they are rebuilt from the start. -#}
{% macro event_model_settings() -%}
    {{ plg_kpis.quoted_string('activation_events=' ~ tojson(var('activation_events')) ~ ';upgrade_intent_events=' ~ tojson(var('upgrade_intent_events'))) }}
{%- endmacro %}
