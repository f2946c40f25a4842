-- In every rate mart the numerator is a subset of the denominator (0 <= numerator <=
-- denominator), and the rate is 100 * numerator / denominator: NULL exactly when the
-- denominator is 0, else between 0 and 100.

with

upgrade_rate as (

    select * from {{ ref('fct_self_serve_upgrade_rate') }}

),

signal_rate as (

    select * from {{ ref('fct_upgrade_intent_signal_rate') }}

),

plan_upgrade_rate as (

    select * from {{ ref('fct_plan_upgrade_rate') }}

),

rates as (

    select
        'fct_self_serve_upgrade_rate' as mart_name,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        activation_month as period_start,
        cast(null as {{ dbt.type_string() }}) as from_plan_id,
        upgraded_users as numerator,
        activated_users as denominator,
        upgrade_rate_pct as rate_pct

    from upgrade_rate

    union all

    select
        'fct_upgrade_intent_signal_rate' as mart_name,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        activity_month as period_start,
        cast(null as {{ dbt.type_string() }}) as from_plan_id,
        signaled_users as numerator,
        active_free_users as denominator,
        signal_rate_pct as rate_pct

    from signal_rate

    union all

    select
        'fct_plan_upgrade_rate' as mart_name,
        period_grain,
        period_start,
        from_plan_id,
        upgraded_subscribers as numerator,
        subscribers_at_start as denominator,
        upgrade_rate_pct as rate_pct

    from plan_upgrade_rate

)

select * from rates
where numerator < 0
    or numerator > denominator
    or (denominator = 0 and rate_pct is not null)
    or (denominator > 0 and rate_pct is null)
    or rate_pct < 0
    or rate_pct > 100
    or abs(rate_pct - 100.0 * numerator / nullif(denominator, 0)) > 0.000001
