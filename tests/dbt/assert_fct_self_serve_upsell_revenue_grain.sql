-- Grain of fct_self_serve_upsell_revenue: one row per (revenue_month, upsell_type). A missing
-- upsell_type is one group of its own (group by treats NULLs as equal).

select
    revenue_month,
    upsell_type,
    count(*) as rows_per_key

from {{ ref('fct_self_serve_upsell_revenue') }}
group by 1, 2
having count(*) > 1
