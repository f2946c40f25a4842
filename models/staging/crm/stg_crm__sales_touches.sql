with

source as (

    select * from {{ source('crm', 'sales_touches') }}

),

typed as (

    select
        {{ clean_text('touch_id') }} as touch_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('touch_type') }} as touch_type,
        {{ clean_text('team') }} as team,
        {{ to_utc_timestamp('touched_at') }} as touched_at

    from source

),

deduplicated as (

    select distinct * from typed

)

select * from deduplicated
