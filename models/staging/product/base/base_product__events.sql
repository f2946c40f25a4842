-- The raw product events typed, one row per raw row (exact duplicates included): what
-- stg_product__events stores, and what its change detection compares it with.

with

source as (

    select * from {{ source('product', 'product_events') }}

),

typed as (

    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('event_name') }} as event_name,
        {{ to_utc_timestamp('occurred_at') }} as occurred_at

    from source

),

final as (

    select
        *,
        cast(occurred_at as date) as occurred_on

    from typed

)

select * from final
