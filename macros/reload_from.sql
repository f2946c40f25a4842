{#- The first key (a day or a month) from which an incremental model must be rebuilt: the
    least `key` of the rows that differ between `current` (a select of the state now) and
    `applied` (the state the model was last built from), in either direction. NULL when
    nothing differs. Both selects give the same columns, key first. -#}
{% macro reload_from(current, applied, key) -%}
    select min({{ key }}) as reload_from
    from (
        select * from (
            select * from ({{ current }}) as current_state
            except
            select * from ({{ applied }}) as applied_state
        ) as added
        union all
        select * from (
            select * from ({{ applied }}) as applied_state
            except
            select * from ({{ current }}) as current_state
        ) as removed
    ) as differences
{%- endmacro %}
