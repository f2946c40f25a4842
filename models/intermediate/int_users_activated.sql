-- One row per activated user: the instant of their first activation event, their account, and
-- whether that account was on a non-paid plan in force at that instant (the upgrade rate's
-- denominator). The user's account is users.account_id; for an event whose user is not in
-- users, the activation event's own account stands in.

with

first_activations as (

    select * from {{ ref('int_users_first_activations') }}

),

users as (

    select * from {{ ref('stg_product__users') }}

),

plan_spans as (

    select * from {{ ref('int_account_plans_spanned') }}

),

with_account as (

    select
        first_activations.user_id,
        coalesce(users.account_id, first_activations.account_id) as account_id,
        first_activations.activated_at

    from first_activations
    left join users
        on first_activations.user_id = users.user_id

),

with_plan as (

    select
        with_account.user_id,
        with_account.account_id,
        plan_spans.plan_id as plan_id_at_activation,
        not coalesce(plan_spans.is_paid, false) as is_on_free_plan_at_activation,
        {{ period_start('month', 'with_account.activated_at') }} as activation_month,
        with_account.activated_at

    from with_account
    left join plan_spans
        on with_account.account_id = plan_spans.account_id
        and {{ is_in_force('plan_spans', 'with_account.activated_at') }}

)

select * from with_plan
