-- subscription_changes is the complete plan history (the contract), so each change starts from
-- the plan in force just before it: the previous change's to_plan_id, or for an account's first
-- change no plan or a non-paid one (an empty from_plan_id stands for a non-paid plan). A change
-- that does not is judged by its own from_plan_id (conversions, expansions, plan upgrades) while
-- the plan in force before it comes from the previous change, and the two disagree: usually a
-- change is missing, or the history starts on a paid plan (the months before its first change
-- then count as on no paid plan). A warning: the build goes on; one row per such change.
-- Changes at an instant shared with another change of their account are left to
-- warn_stg_billing__subscription_changes_order_at_one_instant.

{{ config(severity='warn') }}

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

plans as (

    select * from {{ ref('stg_billing__plans') }}

),

in_order as (

    select
        account_id,
        change_id,
        changed_at,
        from_plan_id,
        -- to_plan_id is never empty (input checks): none before means the account's first change.
        lag(to_plan_id) over (
            partition by account_id
            order by changed_at, {{ binary_text('change_id') }}
        ) as previous_to_plan_id,
        count(*) over (partition by account_id, changed_at) as changes_at_its_instant

    from changes

),

judged as (

    select
        in_order.account_id,
        in_order.change_id,
        in_order.changed_at,
        in_order.from_plan_id,
        in_order.previous_to_plan_id,
        in_order.changes_at_its_instant,
        coalesce(from_plans.is_paid, false) as is_from_paid_plan,
        coalesce(previous_plans.is_paid, false) as is_previous_plan_paid

    from in_order
    left join plans as from_plans
        on in_order.from_plan_id = from_plans.plan_id
    left join plans as previous_plans
        on in_order.previous_to_plan_id = previous_plans.plan_id

)

select
    account_id,
    change_id,
    changed_at,
    from_plan_id,
    previous_to_plan_id

from judged
where changes_at_its_instant = 1
    and (
        (previous_to_plan_id is null and is_from_paid_plan)
        or (
            previous_to_plan_id is not null
            and (
                (from_plan_id is null and is_previous_plan_paid)
                or from_plan_id <> previous_to_plan_id
            )
        )
    )
