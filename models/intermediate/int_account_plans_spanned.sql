-- One row per subscription change: the plan it set and the span of instants in which that plan
-- is in force. A change at instant c is in force from just after c (the contract's "latest change
-- strictly before t") until, and including, the instant of the account's next change:
-- valid_from < t <= valid_to. Before its first change an account is on no paid plan.
-- Two changes at one instant are ordered by change_id; the earlier one gets an empty span.

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

plans as (

    select * from {{ ref('stg_billing__plans') }}

),

spanned as (

    select
        changes.account_id,
        changes.change_id,
        changes.to_plan_id as plan_id,
        plans.tier_rank,
        changes.mrr_after as mrr,
        changes.seats_after as seats,
        coalesce(plans.is_paid, false) as is_paid,
        changes.changed_at as valid_from,
        lead(changes.changed_at) over (
            partition by changes.account_id
            order by changes.changed_at, {{ binary_text('changes.change_id') }}
        ) as valid_to

    from changes
    left join plans
        on changes.to_plan_id = plans.plan_id

)

select * from spanned
