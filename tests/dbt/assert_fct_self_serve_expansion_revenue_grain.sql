-- Grain of fct_self_serve_expansion_revenue: one row per (revenue_month, expansion_type).

select
    revenue_month,
    expansion_type,
    count(*) as rows_per_key

from {{ ref('fct_self_serve_expansion_revenue') }}
group by 1, 2
having count(*) > 1
