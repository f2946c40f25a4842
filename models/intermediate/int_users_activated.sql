-- One row per activated user: the instant of their first activation event, their account, and
-- whether that account was on a non-paid plan in force at that instant (the upgrade rate's
-- denominator). The user's account is users.account_id; for an event whose user is not in
-- users, the activation event's own account stands in.

with

events as (

    select * from {{ ref('stg_product__events') }}

),

users as (

    select * from {{ ref('stg_product__users') }}

),

plan_spans as (

    select * from {{ ref('int_account_plans_spanned') }}

),

activation_events as (

    select
        user_id,
        account_id,
        occurred_at,
        row_number() over (
            partition by user_id
            order by occurred_at, {{ binary_text('account_id') }}, {{ binary_text('event_id') }}
        ) as activation_order

    from events
    where event_name in {{ string_list('activation_events') }}

),

first_activations as (

    select
        activation_events.user_id,
        coalesce(users.account_id, activation_events.account_id) as account_id,
        activation_events.occurred_at as activated_at

    from activation_events
    left join users
        on activation_events.user_id = users.user_id
    where activation_events.activation_order = 1

),

with_plan as (

    select
        first_activations.user_id,
        first_activations.account_id,
        plan_spans.plan_id as plan_id_at_activation,
        not coalesce(plan_spans.is_paid, false) as is_on_free_plan_at_activation,
        {{ period_start('month', 'first_activations.activated_at') }} as activation_month,
        first_activations.activated_at

    from first_activations
    left join plan_spans
        on first_activations.account_id = plan_spans.account_id
        and {{ is_in_force('plan_spans', 'first_activations.activated_at') }}

)

select * from with_plan
