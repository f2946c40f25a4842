-- Every month of the MRR bridge balances to the cent:
-- ending = starting + new + reactivation + expansion - contraction - churned.

with

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

bridged as (

    select
        revenue_month,
        ending_mrr,
        starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr as bridged_ending_mrr

    from movements

)

select * from bridged
where abs(ending_mrr - bridged_ending_mrr) >= 0.005
