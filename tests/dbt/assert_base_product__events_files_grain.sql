-- Grain of base_product__events_files: one row per (source_file, occurred_on). A file kept from
-- the last build and the same file read again would make two.

select
    source_file,
    occurred_on,
    count(*) as rows_per_key

from {{ ref('base_product__events_files') }}
group by 1, 2
having count(*) > 1
