-- Every subscription change with its plans' attributes and the flags the KPIs filter on:
-- the channel, the sales-touch test, and what kind of move it is.

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

plans as (

    select * from {{ ref('stg_billing__plans') }}

),

sales_touches as (

    select * from {{ ref('stg_crm__sales_touches') }}

),

joined as (

    select
        changes.change_id,
        changes.account_id,
        changes.initiated_by_user_id,
        changes.from_plan_id,
        changes.to_plan_id,
        changes.channel,
        from_plan.tier_rank as from_tier_rank,
        to_plan.tier_rank as to_tier_rank,
        changes.mrr_before,
        changes.mrr_after,
        changes.seats_before,
        changes.seats_after,
        -- A missing from_plan_id (a first subscription) is a non-paid plan.
        coalesce(from_plan.is_paid, false) as is_from_paid_plan,
        coalesce(to_plan.is_paid, false) as is_to_paid_plan,
        coalesce(changes.channel = {{ string_var('self_serve_change_channel') }}, false) as is_self_serve,
        {{ is_sales_touched('changes.account_id', 'changes.changed_at', 'sales_touches') }} as is_sales_touched,
        changes.changed_at

    from changes
    left join plans as from_plan
        on changes.from_plan_id = from_plan.plan_id
    left join plans as to_plan
        on changes.to_plan_id = to_plan.plan_id

),

classified as (

    select
        change_id,
        account_id,
        initiated_by_user_id,
        from_plan_id,
        to_plan_id,
        channel,
        case
            when to_tier_rank > from_tier_rank then 'tier_upgrade'
            when to_plan_id = from_plan_id and seats_after > seats_before then 'seat_expansion'
            else 'other_expansion'
        end as expansion_type,
        from_tier_rank,
        to_tier_rank,
        mrr_before,
        mrr_after,
        seats_before,
        seats_after,
        is_from_paid_plan,
        is_to_paid_plan,
        is_self_serve,
        is_sales_touched,
        -- A self-serve conversion: from a non-paid to a paid plan, on the self-serve channel,
        -- with no sales touch in the look-back.
        (
            not is_from_paid_plan and is_to_paid_plan and is_self_serve and not is_sales_touched
        ) as is_self_serve_conversion,
        -- A plan upgrade: from a paid plan to a paid plan of higher tier, on any channel.
        coalesce(is_from_paid_plan and is_to_paid_plan and to_tier_rank > from_tier_rank, false) as is_paid_tier_upgrade,
        -- A self-serve expansion: from a paid plan, MRR up, self-serve, no sales touch.
        coalesce(
            is_from_paid_plan and mrr_after > mrr_before and is_self_serve and not is_sales_touched, false
        ) as is_self_serve_expansion,
        {{ period_start('month', 'changed_at') }} as changed_month,
        {{ period_start('quarter', 'changed_at') }} as changed_quarter,
        changed_at

    from joined

)

select * from classified
