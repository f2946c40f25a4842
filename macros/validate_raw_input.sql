{#- The input checks of the KPI contract, run as an on-run-start hook before any model is built,
    so that bad input stops the run and every mart of the last good build stays as it was.
    Driven by the sources' meta (see models/staging/*/_*__sources.yml): for every raw table,
    it must exist with every column; its primary key may not be missing or conflict (two rows
    with one id and different values; exact duplicates are fine); a `required` column may not be
    empty; a typed column must be readable; a `references` column must name an existing row (or,
    with `references_severity: warn`, is only reported: the build goes on and counts the row).
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
    {%- set notes = [] -%}
    {%- set stale = [] -%}
    {%- set relations = {} -%}

    {#- 1. Every table exists and has every column. -#}
    {%- for name, source in sources.items() -%}
        {%- set relation = adapter.get_relation(database=source.database, schema=source.schema, identifier=source.identifier) -%}
        {%- if relation is none -%}
            {%- do problems.append(name ~ ": table not found (looked for " ~ source.schema ~ "." ~ source.identifier ~ ")") -%}
        {%- else -%}
            {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | reject('equalto', 'plg_source_file') | list -%}
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

    {#- 2. Row checks, one scan per table. A table checked by part (meta checked_by_file) has
        only the rows of its new files, or of the look-back's days, checked when nothing else
        changed (unchecked_source_rows); any problem found that way, and any doubt, checks the
        whole table again, so a message is the same either way. -#}
    {%- for name, relation in relations.items() -%}
        {%- set source = sources[name] -%}
        {%- set subset = plg_kpis.unchecked_source_rows(source) -%}
        {#- Logged before each table's scan: `plg build` prints it as progress. -#}
        {%- do log("Input checks: " ~ name ~ ", " ~ (subset.described if subset is not none else "every row"), info=True) -%}
        {%- set found = plg_kpis.check_raw_table(source, relation, relations, subset) -%}
        {%- if subset is not none and (found.problems or found.staged_conflicts.ids > 0) -%}
            {%- do log("Input checks: " ~ name ~ ", every row (checking " ~ subset.described ~ " did not settle it)", info=True) -%}
            {%- set conflicts = found.staged_conflicts -%}
            {%- set found = plg_kpis.check_raw_table(source, relation, relations, none) -%}
            {#- With a look-back, a checked row whose id is staged on an earlier day with other
                values is an event before the look-back that changed: the build would keep its
                old row beside the new one. -#}
            {%- if subset.staged_condition and conflicts.ids > 0 and not found.problems -%}
                {%- do problems.append(name ~ "." ~ source.meta.primary_key ~ ": " ~ conflicts.ids ~ " id" ~ ('s' if conflicts.ids > 1 else '')
                    ~ " of " ~ subset.described ~ " staged before with other values (e.g. " ~ conflicts.examples | join(', ')
                    ~ "): a row older than the look-back changed; build once with --full-refresh") -%}
            {%- endif -%}
        {%- endif -%}
        {%- do problems.extend(found.problems) -%}
        {%- do notes.extend(found.notes) -%}
        {%- do stale.extend(found.stale) -%}
    {%- endfor -%}

    {%- if notes and not problems -%}
        {%- do exceptions.warn("Unlisted reference: " ~ notes | join('; ') ~ ". The build goes on and counts these rows; check that the referenced table is complete.") -%}
    {%- endif -%}
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
