-- One row per account and month of the month spine (from the first subscription change's
-- month to the last's), for every account with a plan history: its MRR at the month's end,
-- at the previous month's end, and how it moved. The MRR at a month's end is the mrr_after of
-- the account's latest change strictly before the next month's first instant when that change's
-- plan is paid, else 0: a month-end snapshot, so a plan bought and cancelled inside one month
-- never shows.

with

months as (

    select * from {{ ref('int_billing_periods') }}
    where period_grain = 'month'

),

plan_spans as (

    select * from {{ ref('int_account_plans_spanned') }}

),

accounts as (

    select * from {{ ref('stg_product__accounts') }}

),

account_ids_with_history as (

    select distinct account_id from plan_spans

),

accounts_with_history as (

    -- The account's attributes are joined here, once per account, not once per account-month.
    select
        account_ids_with_history.account_id,
        accounts.segment,
        accounts.country

    from account_ids_with_history
    left join accounts
        on account_ids_with_history.account_id = accounts.account_id

),

account_months as (

    select
        accounts_with_history.account_id,
        accounts_with_history.segment,
        accounts_with_history.country,
        months.period_start as revenue_month,
        months.next_period_started_at

    from accounts_with_history
    cross join months

),

month_end_plans as (

    select
        account_months.account_id,
        account_months.segment,
        account_months.country,
        account_months.revenue_month,
        plan_spans.plan_id,
        case when plan_spans.is_paid then coalesce(plan_spans.mrr, 0) else 0 end as ending_mrr

    from account_months
    left join plan_spans
        on account_months.account_id = plan_spans.account_id
        and {{ is_in_force('plan_spans', 'account_months.next_period_started_at') }}

),

with_history as (

    select
        account_id,
        segment,
        country,
        plan_id,
        ending_mrr,
        coalesce(lag(ending_mrr) over (partition by account_id order by revenue_month), 0) as starting_mrr,
        coalesce(
            max(case when ending_mrr > 0 then 1 else 0 end) over (
                partition by account_id order by revenue_month
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) = 1 as has_paid_before,
        revenue_month

    from month_end_plans

),

classified as (

    select
        account_id,
        segment,
        country,
        plan_id,
        case
            when starting_mrr = 0 and ending_mrr > 0 and has_paid_before then 'reactivation'
            when starting_mrr = 0 and ending_mrr > 0 then 'new'
            when starting_mrr > 0 and ending_mrr = 0 then 'churn'
            when starting_mrr > 0 and ending_mrr > starting_mrr then 'expansion'
            when ending_mrr > 0 and ending_mrr < starting_mrr then 'contraction'
            when starting_mrr > 0 then 'unchanged'
            else 'inactive'
        end as movement_type,
        starting_mrr,
        ending_mrr,
        has_paid_before,
        revenue_month

    from with_history

),

final as (

    select
        classified.account_id,
        classified.plan_id,
        classified.segment,
        classified.country,
        classified.movement_type,
        classified.starting_mrr,
        case when classified.movement_type = 'new' then classified.ending_mrr else 0 end as new_mrr,
        case when classified.movement_type = 'reactivation' then classified.ending_mrr else 0 end as reactivation_mrr,
        case
            when classified.movement_type = 'expansion' then classified.ending_mrr - classified.starting_mrr
            else 0
        end as expansion_mrr,
        case
            when classified.movement_type = 'contraction' then classified.starting_mrr - classified.ending_mrr
            else 0
        end as contraction_mrr,
        case when classified.movement_type = 'churn' then classified.starting_mrr else 0 end as churned_mrr,
        classified.ending_mrr,
        classified.starting_mrr > 0 as is_paying_at_start,
        classified.ending_mrr > 0 as is_paying_at_end,
        classified.has_paid_before,
        classified.revenue_month

    from classified

)

select * from final
