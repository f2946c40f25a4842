-- Changes of one account at one instant are ordered by change_id, the greater being the later
-- (int_account_plans_spanned): the data has no order of its own for them. When they set
-- different plans or MRR, the plan and MRR in force after that instant rest on that rule alone,
-- unless the changes confirm it: in change_id order, each starts where the one before it ended
-- (its from_plan_id and mrr_before are the previous one's to_plan_id and mrr_after).
-- One row per instant where the order decides a result and nothing confirms it. A warning: the
-- build goes on, and the rows say which changes to check (or to give distinct instants).

{{ config(severity='warn') }}

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

in_id_order as (

    select
        account_id,
        changed_at,
        change_id,
        from_plan_id,
        to_plan_id,
        mrr_before,
        mrr_after,
        -- to_plan_id is never empty (input checks): none before means the instant's first change.
        lag(to_plan_id) over (
            partition by account_id, changed_at
            order by {{ binary_text('change_id') }}
        ) as previous_to_plan_id,
        lag(mrr_after) over (
            partition by account_id, changed_at
            order by {{ binary_text('change_id') }}
        ) as previous_mrr_after,
        count(*) over (partition by account_id, changed_at) as changes_at_its_instant

    from changes

),

judged as (

    select
        *,
        case
            when previous_to_plan_id is null then 0
            when from_plan_id = previous_to_plan_id and mrr_before = previous_mrr_after then 0
            else 1
        end as breaks_the_chain

    from in_id_order
    where changes_at_its_instant > 1

)

select
    account_id,
    changed_at,
    count(*) as changes,
    min(change_id) as one_change_id

from judged
group by 1, 2
having (count(distinct to_plan_id) > 1 or count(distinct mrr_after) > 1)
    and sum(breaks_the_chain) > 0
