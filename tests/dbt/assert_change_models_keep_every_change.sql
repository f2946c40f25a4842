-- int_account_plans_spanned and int_subscription_changes_classified each hold every change of
-- stg_billing__subscription_changes, once, and no other.

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

spans as (

    select * from {{ ref('int_account_plans_spanned') }}

),

classified as (

    select * from {{ ref('int_subscription_changes_classified') }}

),

all_change_ids as (

    select change_id from changes
    union
    select change_id from spans
    union
    select change_id from classified

),

counted as (

    select
        all_change_ids.change_id,
        (select count(*) from changes where changes.change_id = all_change_ids.change_id) as staging_rows,
        (select count(*) from spans where spans.change_id = all_change_ids.change_id) as span_rows,
        (select count(*) from classified where classified.change_id = all_change_ids.change_id) as classified_rows

    from all_change_ids

)

select * from counted
where staging_rows <> 1
    or span_rows <> 1
    or classified_rows <> 1
