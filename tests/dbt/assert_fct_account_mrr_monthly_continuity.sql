-- Per account and month of fct_account_mrr_monthly: starting MRR is the previous month's
-- ending MRR (0 in the first month of the spine), and ending = starting + new + reactivation
-- + expansion - contraction - churned, with only the movement named by movement_type non-zero.

with

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

with_previous as (

    select
        *,
        lag(ending_mrr) over (partition by account_id order by revenue_month) as previous_ending_mrr

    from account_months

)

select * from with_previous
where abs(starting_mrr - coalesce(previous_ending_mrr, 0)) >= 0.005
    or abs(
        ending_mrr - (starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr)
    ) >= 0.005
    or (new_mrr <> 0 and movement_type <> 'new')
    or (reactivation_mrr <> 0 and movement_type <> 'reactivation')
    or (expansion_mrr <> 0 and movement_type <> 'expansion')
    or (contraction_mrr <> 0 and movement_type <> 'contraction')
    or (churned_mrr <> 0 and movement_type <> 'churn')
    or new_mrr < 0
    or reactivation_mrr < 0
    or expansion_mrr < 0
    or contraction_mrr < 0
    or churned_mrr < 0
