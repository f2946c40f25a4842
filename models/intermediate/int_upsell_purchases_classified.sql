-- Every upsell purchase (or refund) with the flags the upsell revenue KPI filters on.

with

purchases as (

    select * from {{ ref('stg_billing__upsell_purchases') }}

),

sales_touches as (

    select * from {{ ref('stg_crm__sales_touches') }}

),

classified as (

    select
        purchases.purchase_id,
        purchases.account_id,
        purchases.user_id,
        purchases.upsell_type,
        purchases.channel,
        purchases.amount,
        coalesce(purchases.channel = {{ string_var('self_serve_purchase_channel') }}, false) as is_self_serve,
        coalesce({{ is_in_string_list('purchases.upsell_type', 'team_expansion_upsell_types') }}, false) as is_team_expansion,
        {{ is_sales_touched('purchases.account_id', 'purchases.purchased_at', 'sales_touches') }} as is_sales_touched,
        {{ period_start('month', 'purchases.purchased_at') }} as purchased_month,
        purchases.purchased_at

    from purchases

)

select * from classified
