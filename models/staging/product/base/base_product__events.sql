-- The raw product events typed, one row per raw row (exact duplicates included): what
-- stg_product__events stores, and what its change detection compares it with. source_file
-- names the file a row was read from when the events are a folder of files (var data_dir):
-- a filter on it reads only those files. NULL for a warehouse table. occurred_at_text is the
-- timestamp as written, for a filter that skips the rows of earlier days before typing them
-- (raw_timestamp_may_be_from).

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
        {{ to_utc_timestamp('occurred_at') }} as occurred_at,
        occurred_at as occurred_at_text,
        {{ 'plg_source_file' if var('data_dir') else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as source_file

    from source

),

final as (

    select
        *,
        cast(occurred_at as date) as occurred_on

    from typed

)

select * from final
