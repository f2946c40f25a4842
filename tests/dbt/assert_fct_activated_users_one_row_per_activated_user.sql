-- fct_activated_users has exactly one row for every user with an activation event in
-- stg_product__events, activated at that user's first such event.

with

events as (

    select * from {{ ref('stg_product__events') }}

),

activated_users as (

    select * from {{ ref('fct_activated_users') }}

),

first_activations as (

    select
        user_id,
        min(occurred_at) as activated_at

    from events
    where event_name in {{ string_list('activation_events') }}
    group by 1

)

select
    coalesce(activated_users.user_id, first_activations.user_id) as user_id,
    activated_users.activated_at,
    first_activations.activated_at as expected_activated_at

from activated_users
full outer join first_activations
    on activated_users.user_id = first_activations.user_id
where activated_users.user_id is null
    or first_activations.user_id is null
    or activated_users.activated_at <> first_activations.activated_at
