-- The plan spans of an account chain without gap or overlap: ordered by (valid_from,
-- change_id), each span ends exactly where the next begins, and only the last is open. So at
-- any instant after an account's first change exactly one span is in force.

with

spans as (

    select * from {{ ref('int_account_plans_spanned') }}

),

with_next as (

    select
        account_id,
        change_id,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by account_id order by valid_from, change_id) as next_valid_from

    from spans

)

select * from with_next
where valid_to < valid_from
    or (next_valid_from is null and valid_to is not null)
    or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))
