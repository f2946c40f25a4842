with

source as (

    select * from {{ source('billing', 'plans') }}

),

typed as (

    select
        {{ clean_text('plan_id') }} as plan_id,
        {{ clean_text('plan_name') }} as plan_name,
        {{ to_integer('tier_rank') }} as tier_rank,
        {{ to_money('monthly_price') }} as monthly_price,
        {{ to_boolean('is_paid') }} as is_paid

    from source

),

deduplicated as (

    select distinct * from typed

)

select * from deduplicated
