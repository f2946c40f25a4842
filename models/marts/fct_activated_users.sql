-- One row per activated user: who they are, when they activated, whether their account was on
-- a free plan then (only those count in the upgrade rate), and whether and when they upgraded
-- self-serve within the activation window. `is_window_closed` says the window had fully
-- elapsed before the latest instant seen in the data; until then the user may still upgrade.

with

activations as (

    select * from {{ ref('int_users_activated') }}

),

users as (

    select * from {{ ref('stg_product__users') }}

),

accounts as (

    select * from {{ ref('stg_product__accounts') }}

),

changes as (

    select * from {{ ref('int_subscription_changes_classified') }}

),

latest_instants as (

    select max(occurred_at) as latest_at from {{ ref('stg_product__events') }}
    union all
    select max(changed_at) from changes
    union all
    select max(purchased_at) from {{ ref('stg_billing__upsell_purchases') }}
    union all
    select max(touched_at) from {{ ref('stg_crm__sales_touches') }}

),

data_horizon as (

    select max(latest_at) as latest_at from latest_instants

),

upgrades_in_window as (

    select
        activations.user_id,
        min(changes.changed_at) as upgraded_at

    from activations
    inner join changes
        on activations.user_id = changes.initiated_by_user_id
        and changes.is_self_serve_conversion
        and {{ is_within_window('activations.activated_at', 'changes.changed_at') }}
    group by 1

),

final as (

    select
        activations.user_id,
        activations.account_id,
        activations.plan_id_at_activation,
        users.persona,
        users.acquisition_source,
        accounts.segment,
        accounts.country,
        activations.is_on_free_plan_at_activation,
        upgrades_in_window.user_id is not null as has_upgraded_within_window,
        coalesce(
            {{ window_closes_at('activations.activated_at') }} < data_horizon.latest_at,
            false
        ) as is_window_closed,
        activations.activation_month,
        activations.activated_at,
        upgrades_in_window.upgraded_at

    from activations
    cross join data_horizon
    left join users
        on activations.user_id = users.user_id
    left join accounts
        on activations.account_id = accounts.account_id
    left join upgrades_in_window
        on activations.user_id = upgrades_in_window.user_id

)

select * from final
