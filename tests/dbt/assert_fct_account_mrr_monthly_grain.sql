-- Grain of fct_account_mrr_monthly: one row per (account_id, revenue_month).

select
    account_id,
    revenue_month,
    count(*) as rows_per_key

from {{ ref('fct_account_mrr_monthly') }}
group by 1, 2
having count(*) > 1
