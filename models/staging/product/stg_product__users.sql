with

source as (

    select * from {{ source('product', 'users') }}

),

typed as (

    select
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('persona') }} as persona,
        {{ clean_text('acquisition_source') }} as acquisition_source,
        {{ to_utc_timestamp('created_at') }} as created_at

    from source

),

deduplicated as (

    select distinct * from typed

)

select * from deduplicated
