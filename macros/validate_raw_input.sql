{#- The input checks of the KPI contract, run as an on-run-start hook before any model is built,
    so that bad input stops the run and every mart of the last good build stays as it was.
    Driven by the sources' meta (see models/staging/*/_*__sources.yml): for every raw table,
    it must exist with every column; its primary key may not be missing or conflict (two rows
    with one id and different values; exact duplicates are fine); a `required` column may not be
    empty; a typed column must be readable; a `references` column must name an existing row.
    Every problem is listed in one message with the table, the column, the number of rows and a
    few offending ids. -#}
{% macro validate_raw_input() %}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set sources = {} -%}
    {%- for source in graph.sources.values() if source.package_name == project_name -%}
        {%- do sources.update({source.name: source}) -%}
    {%- endfor -%}
    {%- set problems = [] -%}
    {%- set stale = [] -%}
    {%- set relations = {} -%}

    {#- 1. Every table exists and has every column. -#}
    {%- for name, source in sources.items() -%}
        {%- set relation = adapter.get_relation(database=source.database, schema=source.schema, identifier=source.identifier) -%}
        {%- if relation is none -%}
            {%- do problems.append(name ~ ": table not found (looked for " ~ source.schema ~ "." ~ source.identifier ~ ")") -%}
        {%- else -%}
            {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
            {%- set absent = [] -%}
            {%- for column in source.columns if column | lower not in present -%}
                {%- do absent.append(column) -%}
            {%- endfor -%}
            {%- if absent -%}
                {%- do problems.append(name ~ "." ~ absent | join(', ') ~ ": missing column" ~ ('s' if absent | length > 1 else '')
                    ~ " (the table has: " ~ present | join(', ') ~ ")") -%}
            {%- else -%}
                {%- do relations.update({name: relation}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {#- 2. Row checks, one scan per table, then a few example ids for each failing check. -#}
    {%- for name, relation in relations.items() -%}
        {%- set source = sources[name] -%}
        {%- set key = source.meta.primary_key -%}
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
                {%- do checks.append({'column': column_name, 'problem': 'with a value that is not a readable ' ~ ('number' if type in ('money', 'integer') else type), 'condition': text ~ ' is not null and ' ~ typed ~ ' is null'}) -%}
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
                    'condition': typed ~ ' is not null and ' ~ alias ~ '.referenced_value is null'}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set checked_rows = '(select ' ~ prepared | join(', ') ~ ' from ' ~ relation ~ ' as source_row) as checked'
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
            {%- do stale.extend(plg_kpis.stale_input(source, counts[checks | length])) -%}
        {%- endif -%}
        {%- for check in checks -%}
            {%- set failing = counts[loop.index0] | int -%}
            {%- if failing > 0 -%}
                {%- set examples = run_query('select distinct checked.plg_key from ' ~ checked_rows ~ ' where ' ~ check.condition ~ ' order by 1 limit 5') -%}
                {%- do problems.append(name ~ "." ~ check.column ~ ": " ~ failing ~ " row" ~ ('s' if failing > 1 else '') ~ " " ~ check.problem
                    ~ plg_kpis.example_ids(key, examples)) -%}
            {%- endif -%}
        {%- endfor -%}

        {#- Conflicting duplicates: one id, different values (judged after typing, so exact
            duplicates and the same instant written two ways are one row). -#}
        {%- set typed_columns = [] -%}
        {%- for column_name, column in source.columns.items() -%}
            {%- do typed_columns.append(plg_kpis.typed_column(column.meta.type, column_name) ~ ' as ' ~ column_name) -%}
        {%- endfor -%}
        {#- Ids are grouped by their hash (a number: far cheaper to group than text); the rows
            whose id hash repeats are then compared as they are, so a collision costs a few
            more rows, never a wrong answer. -#}
        {%- set key_hash = plg_kpis.row_fingerprint([plg_kpis.clean_text(key)]) -%}
        {%- set duplicates_sql -%}
            with repeated_ids as (
                select {{ key_hash }} as repeated_id
                from {{ relation }}
                group by 1
                having count(*) > 1
            ),
            distinct_rows as (
                -- Only rows whose id repeats can conflict; the rest are not typed again.
                select distinct {{ typed_columns | join(', ') }}
                from {{ relation }}
                where {{ key_hash }} in (select repeated_id from repeated_ids)
            ),
            conflicting as (
                select {{ key }} from distinct_rows where {{ key }} is not null group by {{ key }} having count(*) > 1
            )
            select (select count(*) from conflicting) as conflicting_ids, {{ key }} from conflicting order by {{ key }} limit 5
        {%- endset -%}
        {%- set duplicates = run_query(duplicates_sql) -%}
        {%- if duplicates.rows | length > 0 -%}
            {%- set conflicting = duplicates.rows[0][0] | int -%}
            {%- do problems.append(name ~ "." ~ key ~ ": " ~ conflicting ~ " id" ~ ('s' if conflicting > 1 else '')
                ~ " on more than one row with different values (e.g. " ~ duplicates.columns[1].values() | join(', ') ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if stale and not problems -%}
        {%- do exceptions.warn("Stale input: " ~ stale | join('; ') ~ ". The build goes on; check that the loads are running.") -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The raw input has " ~ problems | length ~ " problem" ~ ('s' if problems | length > 1 else '')
            ~ "; nothing was built and every mart keeps the last good build's results:\n  - "
            ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
