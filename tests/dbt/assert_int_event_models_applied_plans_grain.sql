-- Grain of int_event_models_applied_plans: one row per (changed_at, account_id, boundary).

select
    changed_at,
    account_id,
    boundary,
    count(*) as rows_per_key

from {{ ref('int_event_models_applied_plans') }}
group by 1, 2, 3
having count(*) > 1
