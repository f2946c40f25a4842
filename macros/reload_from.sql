{#- The first key (a day or a month) from which an incremental model must be rebuilt: the
    least `key` of the rows that differ between `current` (a select of the state now) and
    `applied` (the state the model was last built from), in either direction. NULL when
    nothing differs. Both selects give the same columns, key first; each is computed once. -#}
{% macro reload_from(current, applied, key) -%}
    with

    current_state as (
        {{ current }}
    ),

    applied_state as (
        {{ applied }}
    ),

    added as (
        select * from current_state
        except
        select * from applied_state
    ),

    removed as (
        select * from applied_state
        except
        select * from current_state
    )

    select min({{ key }}) as reload_from
    from (
        select {{ key }} from added
        union all
        select {{ key }} from removed
    ) as differences
{%- endmacro %}
