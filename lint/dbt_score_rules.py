"""dbt-score rules for the house style's layout, naming and testing rules.

pyproject.toml lists this module in `[tool.dbt-score] rule_namespaces`; dbt-score imports it
from the project root (the folder it runs in), next to its own generic rules.

Paths are the manifest's, relative to the project root and written with forward slashes.

No `from __future__ import annotations` here: dbt-score reads each rule's resource type from
its argument's annotation, which must be the class itself, not a string.
"""

import re
from pathlib import PurePosixPath

from dbt_score import Macro, Model, RuleViolation, Severity, Source, rule, rule_filter

# A name made of lowercase words joined by single underscores: "sales_touches".
_SNAKE = r"[a-z0-9]+(?:_[a-z0-9]+)*"

# dbt's adapter.dispatch looks up "<adapter>__<macro>" implementations, e.g. duckdb__to_money.
_DISPATCH_IMPLEMENTATION = re.compile(r"^(?P<adapter>[a-z0-9]+)__(?P<macro>[a-z0-9_]+)$")


def _model_folder(model: Model) -> tuple[str, ...]:
    """The folders of a model's file below models/, e.g. ("staging", "billing")."""
    parts = PurePosixPath(model.original_file_path).parts
    return tuple(parts[1:-1]) if parts and parts[0] == "models" else tuple(parts[:-1])


@rule(severity=Severity.HIGH)
def model_name_matches_its_layer(model: Model) -> RuleViolation | None:
    """A model's name says its layer: stg_<source>__<entity>s, int_..., fct_... or dim_...

    A model in models/staging/<source>/ is named stg_<source>__<entity>s after that folder (one
    in its base/ folder, which prepares a raw table for its staging model, base_<source>__...);
    one in models/intermediate/ starts with int_; one in models/marts/ with fct_ or dim_.
    Those prefixes are kept for their layers: a stg_, int_, fct_ or dim_ model elsewhere is
    in the wrong folder.
    """
    folder = _model_folder(model)
    name = model.name
    layer = folder[0] if folder else ""

    if layer == "staging":
        if len(folder) == 3 and folder[2] == "base":  # models/staging/<source>/base/<model>.sql
            source = folder[1]
            if not re.fullmatch(rf"base_{re.escape(source)}__{_SNAKE}", name):
                return RuleViolation(f"A base model in staging/{source}/base/ is named base_{source}__<entity>.")
            return None
        if len(folder) != 2:  # models/staging/<source>/<model>.sql
            return RuleViolation(f"A staging model belongs in models/staging/<source>/, not {'/'.join(folder)}/.")
        source = folder[1]
        if not re.fullmatch(rf"stg_{re.escape(source)}__{_SNAKE}s", name):
            return RuleViolation(f"A staging model in staging/{source}/ is named stg_{source}__<entity>s.")
    elif layer == "intermediate":
        if not re.fullmatch(rf"int_{_SNAKE}", name):
            return RuleViolation("An intermediate model's name starts with int_.")
    elif layer == "marts":
        if not re.fullmatch(rf"(fct|dim)_{_SNAKE}", name):
            return RuleViolation("A mart's name starts with fct_ or dim_.")
    else:
        expected = {"stg": "staging", "int": "intermediate", "fct": "marts", "dim": "marts"}
        prefix = name.split("_", 1)[0]
        if prefix in expected:
            return RuleViolation(f"A {prefix}_ model belongs in models/{expected[prefix]}/.")
    return None


@rule(severity=Severity.HIGH)
def model_has_grain_test(model: Model) -> RuleViolation | None:
    """A model's grain is tested: a unique column, or a test on the combination.

    Accepted: a `unique` test on a column; a model-level `unique_combination_of_columns`
    test; or a singular test named assert_<model>_grain (it must ref only that model, so
    that dbt-score attributes it here). Base models (staging/<source>/base/), which keep the raw
    rows as they are, have no grain to test.
    """
    if _model_folder(model)[-1:] == ("base",):
        return None  # a base model keeps the raw table's rows, exact duplicates included: no key
    if any(test.type == "unique" for column in model.columns for test in column.tests):
        return None
    for test in model.tests:
        if test.type == "unique_combination_of_columns":
            return None
        if test.type == "generic" and test.name == f"assert_{model.name}_grain":
            return None
    return RuleViolation(
        f"No grain test: add `unique` to the key column or a singular test assert_{model.name}_grain."
    )


@rule(severity=Severity.HIGH)
def only_staging_reads_sources(model: Model) -> RuleViolation | None:
    """Only staging calls source(), and a staging model reads nothing but its own source.

    A model in models/staging/<source>/ depends on tables of source <source> only (no ref():
    staging does no joins), and on the models of that folder (its base/ models, or the staging
    model a bookkeeping model follows); every other model reads sources through staging.
    """
    folder = _model_folder(model)
    nodes = model.depends_on.get("nodes", [])
    sources = [node for node in nodes if node.startswith("source.")]
    others = [node for node in nodes if not node.startswith("source.")]

    if folder[:1] != ("staging",):
        if sources:
            return RuleViolation(f"Only staging models call source(); this one reads {', '.join(sources)}.")
        return None

    # A staging model (and a base model) may also read the models of its own source folder.
    own = (f"base_{folder[1]}__", f"stg_{folder[1]}__") if len(folder) >= 2 else ()
    others = [node for node in others if not node.split(".")[-1].startswith(own)]
    if others:
        return RuleViolation(f"A staging model reads only its source; this one also refs {', '.join(others)}.")
    if len(folder) >= 2:  # models/staging/<source>/[base/]<model>.sql
        # source.<project>.<source name>.<table>
        foreign = [node for node in sources if node.split(".")[2] != folder[1]]
        if foreign:
            return RuleViolation(f"A model in staging/{folder[1]}/ reads source {folder[1]} only, not {', '.join(foreign)}.")
    return None


@rule
def model_is_not_ephemeral(model: Model) -> RuleViolation | None:
    """A model is a view or a table, never ephemeral (unit tests cannot mock an ephemeral parent)."""
    if model.config.get("materialized") == "ephemeral":
        return RuleViolation("Materialize it as a view or a table.")
    return None


@rule
def model_documented_in_its_folder_yml(model: Model) -> RuleViolation | None:
    """A model is documented in its own folder's _<folder>__models.yml."""
    if not model.patch_path:
        return RuleViolation("The model has no YAML entry.")
    yml = PurePosixPath(model.patch_path.split("://", 1)[-1])
    sql = PurePosixPath(model.original_file_path)
    expected = sql.parent / f"_{sql.parent.name}__models.yml"
    if yml != expected:
        return RuleViolation(f"Document it in {expected}, not {yml}.")
    return None


@rule
def source_declared_in_its_staging_folder(source: Source) -> RuleViolation | None:
    """A source is declared in models/staging/<source>/_<source>__sources.yml."""
    expected = f"models/staging/{source.source_name}/_{source.source_name}__sources.yml"
    if PurePosixPath(source.original_file_path) != PurePosixPath(expected):
        return RuleViolation(f"Declare source {source.source_name} in {expected}.")
    return None


@rule
def source_has_description(source: Source) -> RuleViolation | None:
    """A source table and each of its columns are described."""
    if not source.description:
        return RuleViolation("The source table lacks a description.")
    undescribed = [column.name for column in source.columns if not column.description]
    if undescribed:
        return RuleViolation(f"Columns lack a description: {', '.join(undescribed)}.")
    return None


@rule
def macro_file_named_after_the_macro(macro: Macro) -> RuleViolation | None:
    """Macros live one per file, named after the macro.

    A dispatch implementation (<adapter>__<macro>) lives in its macro's file, and a generic
    test (`{% test name %}`, which dbt names test_<name>) in test_<name>.sql.
    """
    path = PurePosixPath(macro.original_file_path)
    implementation = _DISPATCH_IMPLEMENTATION.fullmatch(macro.name)
    expected = {macro.name}
    if implementation:
        expected.add(implementation.group("macro"))
    if path.suffix != ".sql" or path.stem not in expected:
        return RuleViolation(f"Put macro {macro.name} in its own file, {macro.name}.sql.")
    return None


@rule_filter
def is_not_dispatch_implementation(macro: Macro) -> bool:
    """Macros other than adapter implementations (<adapter>__<macro>) of a dispatched macro.

    An implementation shares the documentation of the macro that dispatches to it.
    """
    return _DISPATCH_IMPLEMENTATION.fullmatch(macro.name) is None
