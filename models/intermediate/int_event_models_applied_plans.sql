-- The paid plan history int_users_active_monthly was last built with (each event is judged on
-- the plan in force at its instant), as the instants accounts start and stop being on a paid
-- plan. Built after it; int_event_models_reload compares it with the history of the next build.
{{ config(materialized='table') }}

-- depends_on: {{ ref('int_users_active_monthly') }}

with

boundaries as (

    {{ paid_plan_boundaries(ref('int_account_plans_spanned')) | indent(4) }}

)

select * from boundaries
