-- A table, not a view like the other staging models: the event table is by far the largest
-- input and several models read it, so its text is parsed and deduplicated once.
{{ config(materialized='table') }}

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

deduplicated as (

    select distinct * from typed

)

select * from deduplicated
