-- Grain of int_users_active_monthly: one row per (user_id, activity_month).

select
    user_id,
    activity_month,
    count(*) as rows_per_key

from {{ ref('int_users_active_monthly') }}
group by 1, 2
having count(*) > 1
