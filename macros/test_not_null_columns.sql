{#- Generic test: none of the listed columns is NULL on any row. One test per model instead of
    one per column keeps the build's node count (and its fixed cost per node) down. -#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where {% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}

{% endtest %}
