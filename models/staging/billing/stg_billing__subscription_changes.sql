with

source as (

    select * from {{ source('billing', 'subscription_changes') }}

),

typed as (

    select
        {{ clean_text('change_id') }} as change_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('initiated_by_user_id') }} as initiated_by_user_id,
        {{ clean_text('from_plan_id') }} as from_plan_id,
        {{ clean_text('to_plan_id') }} as to_plan_id,
        {{ clean_text('channel') }} as channel,
        {{ to_money('mrr_before') }} as mrr_before,
        {{ to_money('mrr_after') }} as mrr_after,
        {{ to_integer('seats_before') }} as seats_before,
        {{ to_integer('seats_after') }} as seats_after,
        {{ to_utc_timestamp('changed_at') }} as changed_at

    from source

),

deduplicated as (

    select distinct * from typed

)

select * from deduplicated
