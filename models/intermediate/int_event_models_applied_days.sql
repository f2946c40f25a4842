-- What the incremental event models (int_users_first_activations, int_users_active_monthly)
-- were last built from: the staged events day by day (stg_product__events_days) and the
-- settings. Built after them; int_event_models_reload compares it with the state of the
-- next build.
{{ config(materialized='table') }}

-- depends_on: {{ ref('int_users_first_activations') }}
-- depends_on: {{ ref('int_users_active_monthly') }}

with

days as (

    select * from {{ ref('stg_product__events_days') }}

),

final as (

    select
        occurred_on,
        event_rows,
        fingerprint,
        {{ event_model_settings() }} as model_settings

    from days

)

select * from final
