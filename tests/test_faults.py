"""Faults around the build: a killed build, a database held by another process, a damaged
database file, a missing, read-only or full output folder. Each gives a clear message and exit
code, and no mart is ever half-written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import build, mart_fingerprints, run_plg

TINY = Path(__file__).parent / "data" / "tiny"


def test_database_in_use_by_another_process(tmp_path: Path) -> None:
    db_path = tmp_path / "kpis.duckdb"
    build(TINY, db_path)
    holder = duckdb.connect(str(db_path))  # this test process holds the write lock
    try:
        result = run_plg("build", "--data-dir", str(TINY), "--db", str(db_path))
        assert result.returncode == 1
        assert "in use by another process" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.close()
    # Released: the same command now works.
    assert run_plg("build", "--data-dir", str(TINY), "--db", str(db_path)).returncode == 0


def test_damaged_database_file(tmp_path: Path) -> None:
    db_path = tmp_path / "kpis.duckdb"
    db_path.write_bytes(os.urandom(64 * 1024))
    for args in (("build", "--data-dir", str(TINY), "--db", str(db_path)), ("report", "--db", str(db_path))):
        result = run_plg(*args)
        assert result.returncode == 1, result.stderr
        assert "not a DuckDB database, or it is damaged" in result.stderr
        assert "Traceback" not in result.stderr


def test_missing_output_folder(tmp_path: Path) -> None:
    result = run_plg("build", "--data-dir", str(TINY), "--db", str(tmp_path / "no" / "such" / "kpis.duckdb"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def _mount_tmpfs(path: Path, options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    mount_point = tmp_path / "small-disk"
    if not _mount_tmpfs(mount_point, "size=600k"):
        pytest.skip("cannot mount a small tmpfs here (needs root); the full-disk message is not checked")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


@pytest.fixture
def read_only_folder(tmp_path: Path):
    mount_point = tmp_path / "read-only"
    if not _mount_tmpfs(mount_point, "ro,size=1m"):
        pytest.skip("cannot mount a read-only tmpfs here (needs root); the read-only message is not checked")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_full_disk_gives_a_clear_message(small_disk: Path) -> None:
    result = run_plg("build", "--data-dir", str(TINY), "--db", str(small_disk / "kpis.duckdb"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "full" in result.stderr.lower() or "space" in result.stderr.lower(), result.stderr


def test_read_only_folder_gives_a_clear_message(read_only_folder: Path) -> None:
    result = run_plg("build", "--data-dir", str(TINY), "--db", str(read_only_folder / "kpis.duckdb"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "read-only" in result.stderr.lower(), result.stderr


def test_killed_build_leaves_every_mart_old_or_new(tmp_path: Path) -> None:
    """SIGKILL while the marts are being written: each mart is as it was or fully new, the
    database opens, and the next build succeeds."""
    from plg.generate import generate

    old_data, new_data = tmp_path / "old", tmp_path / "new"
    generate(old_data, accounts=200, seed=1)
    generate(new_data, accounts=1500, seed=2)

    reference_new = tmp_path / "reference_new.duckdb"
    build(new_data, reference_new)
    new_prints = mart_fingerprints(reference_new)

    db_path = tmp_path / "kpis.duckdb"
    build(old_data, db_path)
    old_prints = mart_fingerprints(db_path)

    env = dict(os.environ, TZ="UTC")
    process = subprocess.Popen(
        [sys.executable, "-m", "plg", "build", "--data-dir", str(new_data), "--db", str(db_path)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )
    killed_during_marts = False
    deadline = time.monotonic() + 300
    assert process.stderr is not None
    for line in process.stderr:
        if " fct_" in line:  # the first mart has been written: others are on their way
            process.send_signal(signal.SIGKILL)
            killed_during_marts = True
            break
        if time.monotonic() > deadline:
            break
    process.wait(timeout=60)
    assert killed_during_marts, "the build finished before it could be killed"

    after = mart_fingerprints(db_path)
    # A kill between dbt's commit of a new table and its drop of the previous one leaves that
    # previous version beside it as <mart>__dbt_backup: it holds the old rows, and the next
    # build of the mart drops it.
    backups = {table: digest for table, digest in after.items() if table.endswith("__dbt_backup")}
    for backup, digest in backups.items():
        mart = backup.removesuffix("__dbt_backup")
        assert mart in old_prints and digest == old_prints[mart], f"{backup} is not the old {mart}"
    marts = {table: digest for table, digest in after.items() if table not in backups}
    assert set(marts) == set(old_prints)
    for mart, digest in marts.items():
        assert digest in (old_prints[mart], new_prints[mart]), f"{mart} is neither the old nor the new build"

    build(new_data, db_path)
    assert mart_fingerprints(db_path) == new_prints
