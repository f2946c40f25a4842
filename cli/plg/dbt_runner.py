"""Driving dbt: where the project is, how one invocation is made, and what its result means.

The CLI holds no business logic: every KPI is computed by the dbt project's SQL. This module
turns command-line options into one `dbt build` (one invocation per process), reports progress
as nodes finish, and releases the DuckDB file when dbt is done.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

# Statuses of a finished dbt node that mean it did not succeed.
FAILED_STATUSES = {"error", "fail", "runtime error"}


def project_dir() -> Path:
    """The dbt project: shipped inside the package, or the source checkout it was installed from."""
    packaged = Path(__file__).resolve().parent / "project"
    if (packaged / "dbt_project.yml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "dbt_project.yml").is_file():
        return checkout
    raise FileNotFoundError(
        "The dbt project was not found next to the plg package; reinstall with `pip install .`"
    )


@dataclass
class NodeOutcome:
    """One finished model, seed or test."""

    name: str
    resource_type: str
    status: str
    seconds: float
    message: str = ""


@dataclass
class BuildOutcome:
    """What one dbt invocation did."""

    success: bool
    nodes: list[NodeOutcome] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    # Warnings the project raised (e.g. stale input), each a sentence.
    warnings: list[str] = field(default_factory=list)

    @property
    def failed_nodes(self) -> list[NodeOutcome]:
        return [node for node in self.nodes if node.status in FAILED_STATUSES]

    @property
    def warned_nodes(self) -> list[NodeOutcome]:
        return [node for node in self.nodes if node.status == "warn"]

    def count(self, resource_type: str) -> int:
        return sum(1 for node in self.nodes if node.resource_type == resource_type)

    def summary(self) -> str:
        parts = []
        for resource_type, label in (("model", "model"), ("seed", "seed"), ("test", "test"), ("unit_test", "unit test")):
            count = self.count(resource_type)
            if count:
                parts.append(f"{count} {label}{'s' if count != 1 else ''}")
        done = ", ".join(parts) if parts else "nothing"
        failed = self.failed_nodes
        warned = self.warned_nodes
        skipped = [node for node in self.nodes if node.status == "skipped"]
        verdict = "all passed" if not failed else f"{len(failed)} failed"
        if not self.nodes:
            verdict = "nothing ran"
        if warned:
            verdict += f", {len(warned)} warned"
        if skipped:
            verdict += f", {len(skipped)} skipped"
        if self.warnings:
            verdict += f", {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        return f"{done} in {self.seconds:.1f}s: {verdict}"


def duckdb_environment(db_path: Path, threads: int | None, memory_limit: str | None, temp_dir: str | None) -> dict[str, str]:
    """Environment variables read by profiles.yml for the DuckDB target."""
    env = {"PLG_TARGET": "duckdb", "PLG_DB_PATH": str(db_path)}
    if threads:
        env["PLG_THREADS"] = str(threads)
    if memory_limit:
        env["PLG_MEMORY_LIMIT"] = memory_limit
    if temp_dir:
        env["PLG_TEMP_DIR"] = temp_dir
    return env


def warehouse_environment(target: str, threads: int | None) -> dict[str, str]:
    """Environment variables read by profiles.yml (and the engine's client) for a warehouse target."""
    env = {"PLG_TARGET": target}
    if threads:
        env["PLG_THREADS"] = str(threads)
    if target == "postgres":
        # dbt-postgres has no session setting in a profile; libpq reads the time zone from PGTZ.
        env["PGTZ"] = "UTC"
    if target == "spark":
        # One absolute folder, whatever the working directory of later commands.
        env["PLG_SPARK_DIR"] = str(Path(os.environ.get("PLG_SPARK_DIR") or "plg-spark").resolve())
        if os.environ.get("PLG_SPARK_MASTER", "local").startswith("local") and "SPARK_LOCAL_IP" not in os.environ:
            env["SPARK_LOCAL_IP"] = "127.0.0.1"
    return env


def dbt_arguments(
    command: str,
    *,
    artifacts_dir: Path,
    dbt_vars: dict[str, Any],
    select: tuple[str, ...] = (),
    full_refresh: bool = False,
    target: str | None = None,
) -> list[str]:
    """The argument list of one dbt invocation against the project."""
    project = project_dir()
    args = [
        command,
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(artifacts_dir / "target"),
        "--log-path", str(artifacts_dir / "logs"),
        "--log-level", "none",
        "--log-level-file", "info",
    ]
    if command == "build":
        # Unit tests check the SQL's rules on fixed inputs: they belong to development and CI
        # (`dbt build` runs them), not to every build of a user's data. Exposures build nothing;
        # left in, dbt 1.11 fails with "'Exposure' object has no attribute 'schema'" where it
        # should skip every node after a failed on-run-start hook (dbt_project.yml's flags).
        args += ["--exclude-resource-type", "unit_test", "--exclude-resource-type", "exposure"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if target:
        args += ["--target", target]
    for selector in select:
        args += ["--select", selector]
    if full_refresh:
        args.append("--full-refresh")
    return args


def run_dbt(args: list[str], env: dict[str, str], on_node: Callable[[NodeOutcome], None] | None = None,
            on_step: Callable[[str], None] | None = None) -> BuildOutcome:
    """Run one dbt command in this process; report each finished node to `on_node`, and each
    step the project's macros log (the engine settings, each raw table's input checks) to
    `on_step`, as it happens: the input checks of a large table take a while before any node."""
    from dbt.cli.main import dbtRunner  # imported here: dbt is slow to import

    os.environ.update(env)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    nodes: list[NodeOutcome] = []
    warnings: list[str] = []

    def listen(event: Any) -> None:
        if event.info.name == "JinjaLogWarning":  # exceptions.warn() in the project's macros
            warnings.append(str(event.data.msg))
            return
        if event.info.name == "NoNodesForSelectionCriteria":  # a --select that names nothing
            warnings.append(f"--select {event.data.spec_raw} matches no model, test or seed of the project, "
                            "so it built nothing")
            return
        if event.info.name == "JinjaLogInfo":  # log(..., info=True) in the project's macros
            if on_step is not None:
                on_step(str(event.data.msg))
            return
        if event.info.name != "NodeFinished":
            return
        data = event.data
        result = data.run_result
        outcome = NodeOutcome(
            name=data.node_info.node_name,
            resource_type=data.node_info.resource_type,
            status=str(result.status).lower(),
            seconds=float(result.execution_time or 0.0),
            message=str(result.message or ""),
        )
        nodes.append(outcome)
        if on_node is not None:
            on_node(outcome)

    started = time.perf_counter()
    try:
        with cyclic_gc_paused():
            result = dbtRunner(callbacks=[listen]).invoke(args)
    finally:
        release_duckdb()
        release_spark()
    outcome = BuildOutcome(success=bool(result.success), nodes=nodes, seconds=time.perf_counter() - started,
                           warnings=warnings)
    if result.exception is not None:
        outcome.error = getattr(result.exception, "msg", None) or str(result.exception)
    elif not result.success and result.result is not None:
        hook_errors = [
            f"{item.node.name}: {item.message}"
            for item in getattr(result.result, "results", [])
            if str(item.status).lower() in FAILED_STATUSES and getattr(item.node, "resource_type", "") == "operation"
        ]
        if hook_errors:
            outcome.error = "\n".join(hook_errors)
    return outcome


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one dbt invocation. The `plg` command keeps
    it off for its whole process (main); this restores it for code that calls `cli()` or
    `run_dbt` from a Python process that goes on afterwards.

    Parsing and running the project allocate millions of small objects (the manifest, Jinja
    templates and their contexts), and the collector's repeated passes over that growing heap
    cost a build well over a second of single-core Python (README, Performance). Most of those
    objects live until the invocation ends anyway; what the pause keeps longer is the cyclic
    garbage of ~120 nodes, about 100 MB, bounded because the project's node count does not grow
    with the data. Reference counting still frees every object that is not in a cycle at once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open, so the file is free for others."""
    if "dbt.adapters.duckdb" not in sys.modules:  # another adapter: nothing to close
        return
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        try:
            environment.close()
        finally:
            DuckDBConnectionManager.close_all_connections()


def release_spark() -> None:
    """Stop the Spark session of the `session` method, so its metastore is free for others."""
    if "pyspark" not in sys.modules:
        return
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession() or getattr(SparkSession, "_instantiatedSession", None)
    if session is not None:
        session.stop()


# dbt reports finished nodes from its worker threads; print() writes a line and its newline in
# two calls, so two threads could join two lines into one. One line at a time.
_PRINT_LOCK = threading.Lock()


def _print_line(line: str, stream) -> None:
    with _PRINT_LOCK:
        print(line, file=stream, flush=True)


def print_step(message: str, stream=None) -> None:
    """One progress line for a step the project logs."""
    _print_line(f"  {message}", stream or sys.stderr)


def print_node(node: NodeOutcome, stream=None) -> None:
    """One progress line per finished node."""
    status = node.status.upper()
    label = {"success": "OK", "pass": "PASS"}.get(node.status, status)
    _print_line(f"  {label:<5} {node.resource_type:<9} {node.name} ({node.seconds:.2f}s)", stream or sys.stderr)
