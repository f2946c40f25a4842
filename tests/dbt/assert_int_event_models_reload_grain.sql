-- Grain of int_event_models_reload: exactly one row (the reload points of this build).

select count(*) as row_count

from {{ ref('int_event_models_reload') }}
having count(*) <> 1
