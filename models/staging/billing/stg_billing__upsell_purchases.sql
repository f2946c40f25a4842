with

source as (

    select * from {{ source('billing', 'upsell_purchases') }}

),

typed as (

    select
        {{ clean_text('purchase_id') }} as purchase_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('upsell_type') }} as upsell_type,
        {{ clean_text('channel') }} as channel,
        {{ to_money('amount') }} as amount,
        {{ to_utc_timestamp('purchased_at') }} as purchased_at

    from source

),

deduplicated as (

    select distinct * from typed

)

select * from deduplicated
