{#- The instants at which accounts start or stop being on a paid plan, from the plan spans:
    one row per (instant, account, start|end). Two plan histories judge every event alike
    exactly where these rows agree, so the first row that differs is the first instant from
    which free-plan activity must be judged again (a new change today adds rows today, not at
    the start of the span it ends). -#}
{% macro paid_plan_boundaries(plan_spans) -%}
    select valid_from as changed_at, account_id, 'start' as boundary
    from {{ plan_spans }}
    where is_paid
    union
    select valid_to as changed_at, account_id, 'end' as boundary
    from {{ plan_spans }}
    where is_paid and valid_to is not null
{%- endmacro %}
