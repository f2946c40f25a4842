-- fct_account_mrr_monthly has a row for every account with a subscription change and every
-- month from the first change's month to the last's, and no other.

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

bounds as (

    select
        {{ period_start('month', 'min(changed_at)') }} as first_month,
        {{ period_start('month', 'max(changed_at)') }} as last_month

    from changes

),

accounts_with_changes as (

    select distinct account_id from changes

),

per_account as (

    select
        account_id,
        count(*) as months,
        min(revenue_month) as first_month,
        max(revenue_month) as last_month

    from account_months
    group by 1

)

select
    coalesce(per_account.account_id, accounts_with_changes.account_id) as account_id,
    per_account.months,
    per_account.first_month,
    per_account.last_month,
    bounds.first_month as expected_first_month,
    bounds.last_month as expected_last_month

from per_account
full outer join accounts_with_changes
    on per_account.account_id = accounts_with_changes.account_id
cross join bounds
where per_account.account_id is null
    or accounts_with_changes.account_id is null
    or per_account.first_month <> bounds.first_month
    or per_account.last_month <> bounds.last_month
    or per_account.months <> 1 + {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
