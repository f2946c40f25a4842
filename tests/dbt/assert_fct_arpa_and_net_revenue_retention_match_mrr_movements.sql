-- The revenue metric tree agrees with itself, month by month (to the cent):
-- - fct_arpa.ending_mrr is fct_mrr_movements.ending_mrr, and arpa * paying_accounts is it too;
-- - fct_net_revenue_retention.starting_mrr is fct_mrr_movements.starting_mrr;
-- - retained MRR is starting + expansion - contraction - churned, gross retained MRR is
--   starting - contraction - churned (new and reactivated accounts are not retained);
-- - the three marts have the same months.

with

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

arpa as (

    select * from {{ ref('fct_arpa') }}

),

retention as (

    select * from {{ ref('fct_net_revenue_retention') }}

),

compared as (

    select
        coalesce(movements.revenue_month, arpa.revenue_month, retention.revenue_month) as revenue_month,
        movements.revenue_month is null as is_missing_from_movements,
        arpa.revenue_month is null as is_missing_from_arpa,
        retention.revenue_month is null as is_missing_from_retention,
        abs(arpa.ending_mrr - movements.ending_mrr) as arpa_ending_difference,
        abs(coalesce(arpa.arpa, 0) * arpa.paying_accounts - movements.ending_mrr) as arpa_times_accounts_difference,
        abs(retention.starting_mrr - movements.starting_mrr) as retention_starting_difference,
        abs(
            retention.retained_mrr
            - (movements.starting_mrr + movements.expansion_mrr - movements.contraction_mrr - movements.churned_mrr)
        ) as retained_difference,
        abs(
            retention.gross_retained_mrr
            - (movements.starting_mrr - movements.contraction_mrr - movements.churned_mrr)
        ) as gross_retained_difference

    from movements
    full outer join arpa
        on movements.revenue_month = arpa.revenue_month
    full outer join retention
        on coalesce(movements.revenue_month, arpa.revenue_month) = retention.revenue_month

)

select * from compared
where is_missing_from_movements
    or is_missing_from_arpa
    or is_missing_from_retention
    or arpa_ending_difference >= 0.005
    or arpa_times_accounts_difference >= 0.005
    or retention_starting_difference >= 0.005
    or retained_difference >= 0.005
    or gross_retained_difference >= 0.005
