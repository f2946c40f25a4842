with

source as (

    select * from {{ source('product', 'accounts') }}

),

typed as (

    select
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('account_name') }} as account_name,
        {{ clean_text('segment') }} as segment,
        {{ clean_text('country') }} as country,
        {{ to_utc_timestamp('created_at') }} as created_at

    from source

),

deduplicated as (

    select distinct * from typed

)

select * from deduplicated
