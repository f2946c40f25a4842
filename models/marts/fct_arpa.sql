-- Average revenue per paying account by month: ending MRR over the accounts with MRR > 0 at
-- the month's end.

with

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

monthly as (

    select
        revenue_month,
        sum(ending_mrr) as ending_mrr,
        sum(case when is_paying_at_end then 1 else 0 end) as paying_accounts

    from account_months
    group by 1

),

final as (

    select
        revenue_month,
        ending_mrr,
        paying_accounts,
        {{ safe_divide('ending_mrr', 'paying_accounts') }} as arpa

    from monthly

)

select * from final
