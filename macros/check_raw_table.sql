{#- The row checks of one raw table (`relation`, the source `source`), then a few example ids for
    each failing check: a dict of `problems`, `notes` and `stale` (sentences) and
    `staged_conflicts`. A reference whose column has `references_severity: warn` gives a note,
    not a problem: the build goes on.
    With `subset` (unchecked_source_rows: the rows of new files, or of the look-back's days),
    only those rows are checked, and their ids are compared with the staged rows (those of
    `subset.staged_condition`, when given): `staged_conflicts` counts the ids whose staged row
    differs, with a few examples; with `subset` none, every row. -#}
{% macro check_raw_table(source, relation, relations, subset) %}
    {%- set name = source.name -%}
    {%- set problems = [] -%}
    {%- set notes = [] -%}
    {%- set stale = [] -%}
    {%- set key = source.meta.primary_key -%}
    {%- set staged = plg_kpis.existing_model_relation(source.meta.checked_by_file.staged) if subset is not none else none -%}
    {#- Only the subset's rows, or every row. -#}
    {%- if subset is none -%}
        {%- set rows = relation -%}
    {%- else -%}
        {%- set rows = '(select * from ' ~ relation ~ ' as new_row where ' ~ subset.condition ~ ')' -%}
    {%- endif -%}
    {#- Each column is cleaned and typed once, in a subquery, and the checks read the
        results: typing a timestamp is the costly part of the scan. -#}
    {%- set freshness_column = plg_kpis.freshness_column(source) -%}
    {%- set prepared = [plg_kpis.typed_column('id', 'source_row.' ~ key) ~ ' as plg_key'] -%}
    {#- The freshness column is usually a timestamp column typed below anyway. -#}
    {%- if not freshness_column -%}
        {%- set freshness_at = none -%}
    {%- elif source.columns.get(freshness_column, {}).get('meta', {}).get('type') == 'timestamp' -%}
        {%- set freshness_at = 'checked.plg_typed_' ~ freshness_column -%}
    {%- else -%}
        {%- set freshness_at = 'checked.plg_freshness_at' -%}
        {%- do prepared.append(plg_kpis.typed_column('timestamp', 'source_row.' ~ freshness_column) ~ ' as plg_freshness_at') -%}
    {%- endif -%}
    {%- set checks = [] -%}
    {%- set joins = [] -%}
    {%- for column_name, column in source.columns.items() -%}
        {%- set type = column.meta.type -%}
        {%- set text = 'checked.plg_text_' ~ column_name -%}
        {%- set typed = 'checked.plg_typed_' ~ column_name -%}
        {%- do prepared.append(plg_kpis.clean_text('source_row.' ~ column_name) ~ ' as plg_text_' ~ column_name) -%}
        {%- do prepared.append(plg_kpis.typed_column(type, 'source_row.' ~ column_name) ~ ' as plg_typed_' ~ column_name) -%}
        {%- if column.meta.required -%}
            {%- do checks.append({'column': column_name, 'problem': 'with no value (it is required)', 'condition': typed ~ ' is null and ' ~ text ~ ' is null'}) -%}
        {%- endif -%}
        {%- if type in ('timestamp', 'money', 'integer', 'boolean') -%}
            {#- Money is an 8-byte decimal of six places (type_money): a larger amount reads as NULL
                like text that is no number, and the message says which values it takes. -#}
            {%- set readable = {'money': 'number (an amount below a trillion)', 'integer': 'number'}.get(type, type) -%}
            {%- do checks.append({'column': column_name, 'problem': 'with a value that is not a readable ' ~ readable, 'condition': text ~ ' is not null and ' ~ typed ~ ' is null', 'values': text}) -%}
        {%- endif -%}
        {%- set reference = column.meta.references -%}
        {%- if reference and reference.split('.')[0] in relations -%}
            {#- A left join to the referenced values, not a correlated subquery: Spark
                allows none inside an aggregate. The values are distinct, so no row of
                the checked table is repeated. -#}
            {%- set referenced_table, referenced_column = reference.split('.') -%}
            {%- set alias = 'referenced_' ~ (joins | length + 1) -%}
            {%- do joins.append('left join (select distinct ' ~ plg_kpis.clean_text('referenced.' ~ referenced_column)
                ~ ' as referenced_value from ' ~ relations[referenced_table] ~ ' as referenced) as ' ~ alias
                ~ ' on ' ~ alias ~ '.referenced_value = ' ~ typed) -%}
            {%- do checks.append({'column': column_name,
                'problem': 'naming a value that ' ~ referenced_table ~ '.' ~ referenced_column ~ ' does not list',
                'condition': typed ~ ' is not null and ' ~ alias ~ '.referenced_value is null',
                'values': text,
                'severity': column.meta.get('references_severity', 'error')}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set checked_rows = '(select ' ~ prepared | join(', ') ~ ' from ' ~ rows ~ ' as source_row) as checked'
        ~ ((' ' ~ joins | join(' ')) if joins else '') -%}

    {#- Freshness, in the same scan: the newest instant of the column the source's
        loaded_at_field reads (typed as staging types it). -#}
    {%- set counts_sql -%}
        select
        {%- for check in checks %}
            sum(case when {{ check.condition }} then 1 else 0 end) as check_{{ loop.index }},
        {%- endfor %}
        {%- if freshness_column %}
            cast(max({{ freshness_at }}) as {{ dbt.type_string() }}) as newest_at,
        {%- endif %}
            count(*) as row_count
        from {{ checked_rows }}
    {%- endset -%}
    {%- set counts = run_query(counts_sql).rows[0] -%}
    {%- if freshness_column -%}
        {%- set newest_at = counts[checks | length] -%}
        {%- if staged is not none -%}
            {#- The staged rows are the other files' rows, typed the same way. -#}
            {%- set staged_newest_at = run_query('select cast(max(' ~ freshness_column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ staged).rows[0][0] -%}
            {%- set candidates = [newest_at, staged_newest_at] | reject('none') | list -%}
            {%- set newest_at = candidates | max if candidates else none -%}
        {%- endif -%}
        {%- do stale.extend(plg_kpis.stale_input(source, newest_at)) -%}
    {%- endif -%}
    {%- for check in checks -%}
        {%- set failing = counts[loop.index0] | int -%}
        {%- if failing > 0 -%}
            {%- set examples = run_query('select distinct checked.plg_key from ' ~ checked_rows ~ ' where ' ~ check.condition ~ ' order by 1 limit 5') -%}
            {#- The offending values themselves, quoted so that a space shows: what to look for. -#}
            {%- set shown_values = [] -%}
            {%- if check.get('values') -%}
                {%- for row in run_query('select distinct ' ~ check['values'] ~ ' from ' ~ checked_rows ~ ' where ' ~ check.condition ~ ' order by 1 limit 3').rows -%}
                    {%- set value = row[0] | string -%}
                    {%- do shown_values.append("'" ~ (value[:40] ~ '...' if value | length > 40 else value) ~ "'") -%}
                {%- endfor -%}
            {%- endif -%}
            {%- do (notes if check.get('severity') == 'warn' else problems).append(name ~ "." ~ check.column ~ ": " ~ failing
                ~ " row" ~ ('s' if failing > 1 else '') ~ " " ~ check.problem
                ~ ((', such as ' ~ shown_values | join(', ')) if shown_values else '') ~ plg_kpis.example_ids(key, examples)) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- Conflicting duplicates: one id, different values (judged after typing, so exact
        duplicates and the same instant written two ways are one row). -#}
    {%- set typed_columns = [] -%}
    {%- for column_name, column in source.columns.items() -%}
        {%- do typed_columns.append(plg_kpis.typed_column(column.meta.type, column_name) ~ ' as ' ~ column_name) -%}
    {%- endfor -%}
    {#- The ids on more than one row are found by their hash (a number: far cheaper to group
        or sort than text, repeated_hashes); the rows whose id hash repeats are then compared
        as they are, so a collision costs a few more rows, never a wrong answer. -#}
    {%- set key_hash = plg_kpis.row_fingerprint([plg_kpis.clean_text(key)]) -%}
    {%- set conflicting_ids_sql -%}
        {%- if staged is not none -%}
        {#- The new rows, and the staged rows of the same ids: the staged rows are the
            distinct typed rows checked when they were staged (of every other file, or of
            the days before the look-back). -#}
        with new_rows as (
            select distinct {{ typed_columns | join(', ') }}
            from {{ rows }} as new_row
        ),
        distinct_rows as (
            select * from new_rows
            union
            select {{ source.columns.keys() | join(', ') }}
            from {{ staged }}
            where {{ key }} in (select {{ key }} from new_rows)
            {%- if subset.staged_condition %}
                and {{ subset.staged_condition }}
            {%- endif %}
        ),
        {%- else -%}
        with repeated_ids as (
            {{ plg_kpis.repeated_hashes('select ' ~ key_hash ~ ' as key_hash from ' ~ relation) }}
        ),
        distinct_rows as (
            -- Only rows whose id repeats can conflict; the rest are not typed again.
            select distinct {{ typed_columns | join(', ') }}
            from {{ relation }}
            where {{ key_hash }} in (select repeated_ids.key_hash from repeated_ids)
        ),
        {%- endif %}
        conflicting as (
            select {{ key }} from distinct_rows where {{ key }} is not null group by {{ key }} having count(*) > 1
        )
    {%- endset -%}
    {%- set duplicates = run_query(conflicting_ids_sql ~ ' select (select count(*) from conflicting) as conflicting_ids, '
        ~ key ~ ' from conflicting order by ' ~ key ~ ' limit 5') -%}
    {%- set staged_conflicts = {'ids': 0, 'examples': []} -%}
    {%- if staged is not none and duplicates.rows | length > 0 -%}
        {%- do staged_conflicts.update({'ids': duplicates.rows[0][0] | int, 'examples': duplicates.columns[1].values() | list}) -%}
    {%- endif -%}
    {%- if duplicates.rows | length > 0 and staged is none -%}
        {%- set conflicting = duplicates.rows[0][0] | int -%}
        {#- Only when there are conflicts: the raw rows that carry those ids, as the contract asks
            a message to say how many rows. -#}
        {%- set conflicting_rows = run_query(conflicting_ids_sql ~ ' select count(*) from ' ~ relation ~ ' as source_row where '
            ~ plg_kpis.clean_text('source_row.' ~ key) ~ ' in (select conflicting.' ~ key ~ ' from conflicting)').rows[0][0] | int -%}
        {%- do problems.append(name ~ "." ~ key ~ ": " ~ conflicting_rows ~ " rows of " ~ conflicting ~ " id" ~ ('s' if conflicting > 1 else '')
            ~ " with different values (e.g. " ~ duplicates.columns[1].values() | join(', ') ~ ")") -%}
    {%- endif -%}
    {{ return({'problems': problems, 'notes': notes, 'stale': stale, 'staged_conflicts': staged_conflicts}) }}
{% endmacro %}
