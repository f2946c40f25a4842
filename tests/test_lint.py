"""The linters pass: SQLFluff on every model and singular test (the house style's SQL rules,
in .sqlfluff) and dbt-score on dbt's manifest (its generic rules and the house rules in
lint/dbt_score_rules.py, configured in pyproject.toml). Each also fails on what it is meant to
catch, so a green run means the rules were applied, not skipped.

Both need the `lint` extra (`pip install '.[lint]'`); without it these tests are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

# The SQL that SQLFluff checks: models and singular tests (macros are skipped, see .sqlfluff).
LINTED_DIRS = ("models", "tests/dbt")

HAS_SQLFLUFF = all(importlib.util.find_spec(name) for name in ("sqlfluff", "sqlfluff_templater_dbt"))
HAS_DBT_SCORE = importlib.util.find_spec("dbt_score") is not None
NO_LINT_EXTRA = "the `lint` extra is not installed (pip install '.[lint]')"

needs_sqlfluff = pytest.mark.skipif(not HAS_SQLFLUFF, reason=f"SQLFluff with its dbt templater: {NO_LINT_EXTRA}")
needs_dbt_score = pytest.mark.skipif(not HAS_DBT_SCORE, reason=f"dbt-score: {NO_LINT_EXTRA}")


def lint_env(work: Path) -> dict[str, str]:
    """The environment of a lint run: this folder's profile on a scratch DuckDB file, and
    dbt's target/ and logs/ in the scratch folder rather than in the checkout."""
    return dict(
        os.environ,
        PLG_DB_PATH=str(work / "lint.duckdb"),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )


def sqlfluff(*args: str, project: Path, work: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", *args, "--format", "json"],
        cwd=project, env=lint_env(work), capture_output=True, text=True, timeout=600,
    )


def dbt_score(manifest: Path, work: Path) -> subprocess.CompletedProcess:
    # From the project folder: dbt-score reads pyproject.toml and imports lint/ from there.
    result = subprocess.run(
        [sys.executable, "-m", "dbt_score", "lint", "--manifest", str(manifest), "--show", "failing-items"],
        cwd=PROJECT, env=lint_env(work), capture_output=True, text=True, timeout=300,
    )
    # dbt-score colours its report even when it is not on a terminal.
    result.stdout = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    return result


def violations(result: subprocess.CompletedProcess) -> dict[str, list[str]]:
    """SQLFluff's JSON report as {file: [rule codes]}, one entry per linted file."""
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"SQLFluff printed no JSON report ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return {
        Path(entry["filepath"]).as_posix(): [violation["code"] for violation in entry["violations"]]
        for entry in report
    }


@needs_sqlfluff
def test_sqlfluff_passes_on_every_model_and_singular_test(tmp_path: Path) -> None:
    result = sqlfluff(*LINTED_DIRS, project=PROJECT, work=tmp_path)
    found = violations(result)

    flagged = {path: codes for path, codes in found.items() if codes}
    assert result.returncode == 0 and not flagged, (
        f"SQLFluff found style problems (run `sqlfluff fix` or see .sqlfluff):\n"
        f"{json.dumps(flagged, indent=2)}\n{result.stderr[-3000:]}"
    )
    expected = sorted(
        path.relative_to(PROJECT).as_posix() for folder in LINTED_DIRS for path in (PROJECT / folder).rglob("*.sql")
    )
    assert sorted(found) == expected, "SQLFluff left some SQL files out"


@needs_sqlfluff
def test_sqlfluff_catches_a_model_out_of_house_style(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml", ".sqlfluff", ".sqlfluffignore"):
        shutil.copy2(PROJECT / name, project / name)
    for folder in ("models", "macros", "seeds", "tests/dbt"):
        shutil.copytree(PROJECT / folder, project / folder)
    (project / "models" / "marts" / "fct_out_of_style.sql").write_text(
        "with\n"
        "\n"
        "arpa as (\n"
        "\n"
        "    SELECT * from {{ ref('fct_arpa') }}\n"
        "\n"
        ")\n"
        "\n"
        "select\n"
        "    arpa.revenue_month\n"
        "    , arpa.arpa monthly_arpa\n"
        "from arpa\n"
        "join arpa as previous on arpa.revenue_month = previous.revenue_month\n"
    )

    result = sqlfluff("models/marts/fct_out_of_style.sql", project=project, work=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    codes = set(violations(result)["models/marts/fct_out_of_style.sql"])
    # Uppercase keyword, leading comma, implicit column alias, bare join, no `select * from final`.
    assert {"CP01", "LT04", "AL02", "AM05", "CV13"} <= codes, codes


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("dbt-parse")
    dbt = Path(sys.executable).with_name("dbt")
    parsed = subprocess.run(
        [str(dbt), "parse", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        env=lint_env(work), capture_output=True, text=True, timeout=600,
    )
    assert parsed.returncode == 0, parsed.stdout[-3000:] + parsed.stderr[-3000:]
    return work / "target" / "manifest.json"


@needs_dbt_score
def test_dbt_score_passes(manifest: Path, tmp_path: Path) -> None:
    result = dbt_score(manifest, tmp_path)

    assert result.returncode == 0, f"dbt-score failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    assert "Project score: 10.0" in result.stdout, result.stdout


@needs_dbt_score
def test_dbt_score_catches_models_that_break_the_house_rules(manifest: Path, tmp_path: Path) -> None:
    nodes = json.loads(manifest.read_text())
    models = {node["name"]: node for node in nodes["nodes"].values() if node["resource_type"] == "model"}
    # A mart without the fct_/dim_ prefix, and an intermediate model without its key test.
    models["fct_arpa"]["name"] = "arpa"
    activated_users = models["int_users_activated"]["unique_id"]
    nodes["nodes"] = {
        node_id: node for node_id, node in nodes["nodes"].items()
        if not (node.get("attached_node") == activated_users and node.get("test_metadata", {}).get("name") == "unique")
    }
    # A mart that reads a source directly.
    models["fct_mrr_movements"]["depends_on"]["nodes"].append("source.plg_kpis.billing.plans")
    broken = tmp_path / "manifest.json"
    broken.write_text(json.dumps(nodes))

    result = dbt_score(broken, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    for rule in ("model_name_matches_its_layer", "model_has_grain_test", "only_staging_reads_sources"):
        assert f"lint.dbt_score_rules.{rule}" in result.stdout, result.stdout
