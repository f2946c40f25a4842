-- Net and gross revenue retention by month, over the accounts that had MRR at the previous
-- month's end: NRR counts their MRR at this month's end in full (expansion included); GRR caps
-- each account at its starting MRR (only contraction and churn count).

with

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

monthly as (

    select
        revenue_month,
        sum(starting_mrr) as starting_mrr,
        sum(case when is_paying_at_start then ending_mrr else 0 end) as retained_mrr,
        sum(case when is_paying_at_start then starting_mrr - contraction_mrr - churned_mrr else 0 end) as gross_retained_mrr

    from account_months
    group by 1

),

final as (

    select
        revenue_month,
        starting_mrr,
        retained_mrr,
        gross_retained_mrr,
        {{ percentage('retained_mrr', 'starting_mrr') }} as nrr_pct,
        {{ percentage('gross_retained_mrr', 'starting_mrr') }} as grr_pct

    from monthly

)

select * from final
