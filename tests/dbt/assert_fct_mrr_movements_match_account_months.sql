-- fct_mrr_movements holds, for every month, exactly the sums of fct_account_mrr_monthly
-- (to the cent), and no month is missing on either side.

with

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

account_month_sums as (

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

),

compared as (

    select
        coalesce(movements.revenue_month, account_month_sums.revenue_month) as revenue_month,
        movements.revenue_month is null as is_missing_from_movements,
        account_month_sums.revenue_month is null as is_missing_from_account_months,
        abs(movements.starting_mrr - account_month_sums.starting_mrr) as starting_difference,
        abs(movements.new_mrr - account_month_sums.new_mrr) as new_difference,
        abs(movements.expansion_mrr - account_month_sums.expansion_mrr) as expansion_difference,
        abs(movements.contraction_mrr - account_month_sums.contraction_mrr) as contraction_difference,
        abs(movements.churned_mrr - account_month_sums.churned_mrr) as churned_difference,
        abs(movements.reactivation_mrr - account_month_sums.reactivation_mrr) as reactivation_difference,
        abs(movements.ending_mrr - account_month_sums.ending_mrr) as ending_difference

    from movements
    full outer join account_month_sums
        on movements.revenue_month = account_month_sums.revenue_month

)

select * from compared
where is_missing_from_movements
    or is_missing_from_account_months
    or starting_difference >= 0.005
    or new_difference >= 0.005
    or expansion_difference >= 0.005
    or contraction_difference >= 0.005
    or churned_difference >= 0.005
    or reactivation_difference >= 0.005
    or ending_difference >= 0.005
