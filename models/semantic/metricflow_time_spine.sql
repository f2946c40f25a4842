-- The day spine of the semantic layer: one row per UTC calendar day from 2000-01-01 to
-- 2049-12-31. MetricFlow joins to it to fill gaps and to offset time; its range is fixed (not
-- derived from the data) so that it does not depend on a build of the raw data and needs no
-- rebuild as data arrives. A history outside this range needs a wider spine here.

{{ config(materialized='table') }}

with

day_offsets as (

    -- 18,263 days: 2000-01-01 to 2049-12-31.
    {{ dbt.generate_series(18263) }}

),

final as (

    select
        cast({{ dbt.dateadd('day', 'day_offsets.generated_number - 1', "cast('2000-01-01' as date)") }} as date) as date_day

    from day_offsets

)

select * from final
