-- The period spine: every calendar month, and every calendar quarter, from the one holding the
-- first subscription change to the one holding the last. Each period is [period_started_at,
-- next_period_started_at). The month spine of the MRR metric tree and the periods of the plan
-- upgrade rate both come from here.

with

changes as (

    select * from {{ ref('stg_billing__subscription_changes') }}

),

bounds as (

    select
        {{ period_start('month', 'min(changed_at)') }} as first_month,
        {{ period_start('month', 'max(changed_at)') }} as last_month

    from changes

),

month_offsets as (

    -- 1,200 months (a century) is the longest history the spine covers.
    {{ dbt.generate_series(1200) }}

),

months as (

    select
        cast({{ dbt.dateadd('month', 'month_offsets.generated_number - 1', 'bounds.first_month') }} as date) as period_start

    from bounds
    cross join month_offsets
    where {{ dbt.dateadd('month', 'month_offsets.generated_number - 1', 'bounds.first_month') }} <= bounds.last_month

),

quarters as (

    select distinct {{ period_start('quarter', 'period_start') }} as period_start
    from months

),

periods as (

    select
        'month' as period_grain,
        period_start,
        1 as months_long

    from months

    union all

    select
        'quarter' as period_grain,
        period_start,
        3 as months_long

    from quarters

),

final as (

    select
        period_grain,
        period_start,
        cast(period_start as {{ dbt.type_timestamp() }}) as period_started_at,
        cast({{ dbt.dateadd('month', 'months_long', 'period_start') }} as {{ dbt.type_timestamp() }}) as next_period_started_at

    from periods

)

select * from final
