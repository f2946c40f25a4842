"""The dbt project on its own, as an analytics engineer runs it: `dbt seed && dbt build` on the
shipped sample data, with every unit test, data test and reconciliation test; then
`dbt docs generate`, and documentation coverage of every model, column, source, seed and macro
at 100% (against the columns the warehouse really has, from the catalog)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def dbt(*args: str, db_path: Path, work: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PLG_DB_PATH=str(db_path), TZ="Pacific/Auckland", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    command = [
        str(Path(sys.executable).with_name("dbt")), *args,
        "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    work = tmp_path_factory.mktemp("dbt-project")
    db_path = work / "sample.duckdb"
    seeded = dbt("seed", db_path=db_path, work=work)
    assert seeded.returncode == 0, seeded.stdout[-3000:]
    built = dbt("build", db_path=db_path, work=work)
    return work, db_path, built


def test_seed_then_build_runs_every_test(built_sample) -> None:
    _, _, built = built_sample
    assert built.returncode == 0, built.stdout[-5000:]
    summary = [line for line in built.stdout.splitlines() if "Done. PASS=" in line][-1]
    assert "ERROR=0" in summary and "WARN=0" in summary, summary
    # Unit tests ran (they are part of `dbt build`), and so did the data tests.
    assert "unit_test" in built.stdout or "unit test" in built.stdout
    passed = int(summary.split("PASS=")[1].split()[0])
    assert passed > 60, summary


def test_documentation_covers_everything(built_sample) -> None:
    work, db_path, _ = built_sample
    generated = dbt("docs", "generate", db_path=db_path, work=work)
    assert generated.returncode == 0, generated.stdout[-3000:]
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    catalog = json.loads((work / "target" / "catalog.json").read_text())
    undocumented = []

    for unique_id, node in manifest["nodes"].items():
        if node["package_name"] != "plg_kpis" or node["resource_type"] not in ("model", "seed"):
            continue
        if not node.get("description", "").strip():
            undocumented.append(unique_id)
        documented = {name.lower() for name, column in node["columns"].items() if column.get("description", "").strip()}
        actual = {name.lower() for name in catalog["nodes"].get(unique_id, {}).get("columns", {})}
        assert actual, f"{unique_id} is missing from the catalog"
        undocumented += [f"{unique_id}.{name}" for name in sorted(actual - documented)]

    for unique_id, source in manifest["sources"].items():
        if not source.get("description", "").strip():
            undocumented.append(unique_id)
        undocumented += [f"{unique_id}.{name}" for name, column in source["columns"].items()
                         if not column.get("description", "").strip()]

    documented_macros = {macro["name"] for macro in manifest["macros"].values()
                         if macro["package_name"] == "plg_kpis" and macro.get("description", "").strip()}
    for macro in manifest["macros"].values():
        if macro["package_name"] != "plg_kpis" or macro["name"] in documented_macros:
            continue
        implementation = re.match(r"^[a-z]+__(.+)$", macro["name"])  # e.g. duckdb__to_money
        if implementation and implementation.group(1) in documented_macros:
            continue  # an engine's implementation, documented with its dispatching macro
        undocumented.append(macro["unique_id"])

    assert not undocumented, "undocumented: " + ", ".join(undocumented)
    assert {"exposure.plg_kpis.plg_terminal_report", "exposure.plg_kpis.plg_html_report"} <= set(manifest["exposures"])


# Raw text and the UTC instant it must become (None: not a readable timestamp). On DuckDB text
# shaped 'YYYY-MM-DDTHH:MM:SS' (with 'T' or a space, with or without 'Z') takes a faster path
# than the rest; both are covered, with the values where a looser reader would go wrong.
TIMESTAMP_CASES = [
    ("2025-01-01T10:00:00Z", "2025-01-01 10:00:00"),
    (" 2025-01-01T10:00:00Z ", "2025-01-01 10:00:00"),
    ("2024-02-29T23:59:59Z", "2024-02-29 23:59:59"),
    ("2025-12-31T23:59:59Z", "2025-12-31 23:59:59"),
    ("2025-01-01T24:00:00Z", "2025-01-02 00:00:00"),
    ("2025-02-29T10:00:00Z", None),
    ("2025-01-01T23:59:60Z", None),
    ("2025-13-01T10:00:00Z", None),
    ("2025-01-01T10:2 :14Z", None),
    ("2025-01-01T10:00:00+02:00", "2025-01-01 08:00:00"),
    ("2025-01-01T10:00:00-08:00", "2025-01-01 18:00:00"),
    ("2025-01-01T10:00:00+05:30", "2025-01-01 04:30:00"),
    ("2025-01-01T10:00:00.5+01:00", "2025-01-01 09:00:00.5"),
    ("2025-01-01T10:00:00.123456Z", "2025-01-01 10:00:00.123456"),
    ("2025-01-01T10:00:00.123Z", "2025-01-01 10:00:00.123"),
    ("2025-01-01T10:00:00,5Z", "2025-01-01 10:00:00.5"),
    ("2025-01-01T10:00:00,123+01:00", "2025-01-01 09:00:00.123"),
    ("2025-01-01 10:00:00,25", "2025-01-01 10:00:00.25"),
    ("2025-01-01T10:00:00,5,5Z", None),
    ("2025,01,01T10:00:00Z", None),
    ("2025-01-01T10:00:00+00:00", "2025-01-01 10:00:00"),
    ("2025-01-01t10:00:00z", "2025-01-01 10:00:00"),
    ("2025-01-01T10:00:00z", "2025-01-01 10:00:00"),
    ("2025-01-01t10:00:00-08:00", "2025-01-01 18:00:00"),
    ("2025-01-01 10:00:00", "2025-01-01 10:00:00"),
    ("2025-01-01T10:00:00", "2025-01-01 10:00:00"),
    ("2024-02-29 23:59:59", "2024-02-29 23:59:59"),
    ("2025-02-29 10:00:00", None),
    ("2025-01-01 10:2 :14", None),
    ("2025-01-01T10:2 :14", None),
    ("2025-01-01 24:00:00", "2025-01-02 00:00:00"),
    ("2025-01-01T24:00:00", "2025-01-02 00:00:00"),
    ("2025-01-01 10:00:00+02:00", "2025-01-01 08:00:00"),
    ("2025-01-01 10:00:00Z", "2025-01-01 10:00:00"),
    ("2025-01-01T10:00:00+02", "2025-01-01 08:00:00"),
    ("2025-01-01T10:00", "2025-01-01 10:00:00"),
    ("2025-01-01", "2025-01-01 00:00:00"),
    ("2025-01-01T10:00:00ZZ", None),
    ("yesterday", None),
]


def test_timestamp_typing_reads_every_form(built_sample) -> None:
    work, db_path, _ = built_sample
    values = " union all ".join(
        f"select {position} as position, {plg_literal(text)} as raw_value" for position, (text, _) in enumerate(TIMESTAMP_CASES))
    query = ("select position, cast({{ plg_kpis.to_utc_timestamp('raw_value') }} as varchar) as read_as "
             f"from ({values}) as cases order by position")
    shown = dbt("show", "--inline", query, "--limit", "100", "--output", "json", "--log-format", "text",
                db_path=db_path, work=work)
    assert shown.returncode == 0, shown.stdout[-3000:]
    rows = json.loads(shown.stdout[shown.stdout.index("{"):shown.stdout.rindex("}") + 1])["show"]
    read = {row["position"]: row["read_as"] for row in rows}
    wrong = [(text, read.get(position), expected) for position, (text, expected) in enumerate(TIMESTAMP_CASES)
             if read.get(position) != expected]
    assert not wrong, wrong


def test_repeated_hashes_are_found_alike_by_sorting_and_grouping(built_sample) -> None:
    """DuckDB finds the hashes on more than one row by sorting them, the other engines by
    grouping: both give each repeated hash once (twice or three times over, the largest 64-bit
    value too) and no hash that occurs once."""
    work, db_path, _ = built_sample
    keys = ("select cast(key_hash as ubigint) as key_hash from (values (1), (2), (2), (3), (3), (3), (0), "
            "(18446744073709551615), (18446744073709551615), (18446744073709551614)) as raw_keys(key_hash)")
    query = " union all ".join(
        f"select '{form}' as form, cast(key_hash as varchar) as key_hash "
        f"from ({{{{ plg_kpis.{form}__repeated_hashes({plg_literal(keys)}) }}}}) as found"
        for form in ("duckdb", "default"))
    shown = dbt("show", "--inline", query, "--limit", "100", "--output", "json", "--log-format", "text",
                db_path=db_path, work=work)
    assert shown.returncode == 0, shown.stdout[-3000:]
    rows = json.loads(shown.stdout[shown.stdout.index("{"):shown.stdout.rindex("}") + 1])["show"]
    for form in ("duckdb", "default"):
        assert sorted(row["key_hash"] for row in rows if row["form"] == form) == ["18446744073709551615", "2", "3"], rows


def plg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_the_files_of_a_table_are_found_alike_by_dbt_and_the_loader(built_sample, tmp_path: Path) -> None:
    """The DuckDB path (macro data_dir_files), the warehouse loader and the reference reader
    take the same files: nested folders and any extension case read; hidden and underscore
    files and folders below the table's folder passed over, even when data_dir has such parts;
    and all three refuse a file there that is neither CSV nor Parquet."""
    from plg.loaders import RAW_TABLES, TargetError, table_files
    from reference_kpis import _table_files

    work, db_path, _ = built_sample
    data_dir = tmp_path / "_exports" / ".raw"
    read = ["product_events.CSV", "product_events/a.csv", "product_events/b.Parquet",
            "product_events/day=2026-01-01/part-0.csv", "product_events/day=2026-01-02/x/part-0.parquet"]
    passed_over = ["product_events.csv.bak", "product_events/._a.csv", "product_events/.x/a.csv",
                   "product_events/_SUCCESS", "product_events/_temporary/0/part-0.csv", "product_events/day=2026-01-01/_part.csv"]
    for name in read + passed_over:
        (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / name).write_text("")
    for table in RAW_TABLES:
        if table != "product_events":
            (data_dir / f"{table}.csv").write_text("")

    expected = sorted(str(data_dir / name) for name in read)
    assert sorted(str(path) for path in table_files(data_dir)["product_events"]) == expected
    assert sorted(str(path) for path in _table_files(data_dir, "product_events")) == expected
    for written in (str(data_dir), str(data_dir) + "/", str(data_dir.parent) + "/./" + data_dir.name):
        query = "select '{{ plg_kpis.data_dir_files(\"product_events\") | join(\"|\") }}' as files"
        shown = dbt("show", "--inline", query, "--output", "json", "--log-format", "text",
                    "--vars", json.dumps({"data_dir": written}), db_path=tmp_path / "files.duckdb", work=work)
        assert shown.returncode == 0, shown.stdout[-3000:]
        files = json.loads(shown.stdout[shown.stdout.index("{"):shown.stdout.rindex("}") + 1])["show"][0]["files"]
        assert sorted(files.split("|")) == expected, written

    (data_dir / "product_events/day=2026-01-01/notes.txt").write_text("")
    with pytest.raises(TargetError, match="product_events/ has 1 file neither .csv nor .parquet"):
        table_files(data_dir)
    with pytest.raises(ValueError, match="neither CSV nor Parquet"):
        _table_files(data_dir, "product_events")
    query = "select '{{ plg_kpis.data_dir_files(\"product_events\") | join(\"|\") }}' as files"
    shown = dbt("show", "--inline", query, "--vars", json.dumps({"data_dir": str(data_dir)}),
                db_path=tmp_path / "files.duckdb", work=work)
    assert shown.returncode != 0 and "product_events/day=2026-01-01/notes.txt" in shown.stdout, shown.stdout[-3000:]
