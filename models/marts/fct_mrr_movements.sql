-- The MRR bridge by month: starting MRR, each movement, ending MRR, where
-- ending = starting + new + reactivation + expansion - contraction - churned.

with

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

final as (

    select
        revenue_month,
        sum(starting_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(ending_mrr) as ending_mrr

    from account_months
    group by 1

)

select * from final
