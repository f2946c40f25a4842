"""The dbt project on its own, as an analytics engineer runs it: `dbt seed && dbt build` on the
shipped sample data, with every unit test, data test and reconciliation test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def dbt(*args: str, db_path: Path, work: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PLG_DB_PATH=str(db_path), TZ="Pacific/Auckland", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    command = [
        str(Path(sys.executable).with_name("dbt")), *args,
        "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)


def test_seed_then_build_runs_every_test(tmp_path: Path) -> None:
    db_path = tmp_path / "sample.duckdb"
    seeded = dbt("seed", db_path=db_path, work=tmp_path)
    assert seeded.returncode == 0, seeded.stdout[-3000:]
    built = dbt("build", db_path=db_path, work=tmp_path)
    assert built.returncode == 0, built.stdout[-5000:]
    summary = [line for line in built.stdout.splitlines() if "Done. PASS=" in line][-1]
    assert "ERROR=0" in summary and "WARN=0" in summary, summary
    # Unit tests ran (they are part of `dbt build`), and so did the data tests.
    assert "unit_test" in built.stdout or "unit test" in built.stdout
    passed = int(summary.split("PASS=")[1].split()[0])
    assert passed > 60, summary
