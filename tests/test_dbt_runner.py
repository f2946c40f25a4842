"""The Python around a dbt invocation: Python's cyclic garbage collector, off while dbt runs;
progress lines printed whole from dbt's worker threads; a --select that names nothing."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import build

from plg.dbt_runner import BuildOutcome, NodeOutcome, cyclic_gc_paused, print_node, print_step

TINY = Path(__file__).parent / "data" / "tiny"


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_is_paused_during_and_restored_after(enabled_before: bool) -> None:
    (gc.enable if enabled_before else gc.disable)()
    try:
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled_before
        # Restored when dbt raises, too.
        with pytest.raises(RuntimeError), cyclic_gc_paused():
            raise RuntimeError("dbt broke")
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()


def test_the_command_runs_with_the_collector_off() -> None:
    # `plg` (main) turns the collector off before any command runs, and leaves it off: the
    # process ends with the command. The command here reports what it sees.
    probe = (
        "import gc\n"
        "import plg.main as entry\n"
        "entry.cli = lambda standalone_mode: print('collector on' if gc.isenabled() else 'collector off')\n"
        "entry.main()\n"
        "print('after: ' + ('on' if gc.isenabled() else 'off'))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["collector off", "after: off"], result.stdout


class SlowStream:
    """A stream that yields to other threads on every write, as a busy terminal may."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        time.sleep(0.0005)
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_lines_from_many_threads_stay_whole() -> None:
    stream = SlowStream()

    def report(thread: int) -> None:
        for number in range(20):
            print_node(NodeOutcome(f"model_{thread}_{number}", "model", "success", 0.01), stream)
            print_step(f"step {thread} {number}", stream)

    threads = [threading.Thread(target=report, args=(thread,)) for thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = stream.text.splitlines()
    assert len(lines) == 4 * 20 * 2
    assert all(line.startswith("  OK    model     model_") or line.startswith("  step ") for line in lines), lines


def test_a_build_that_ran_nothing_does_not_say_all_passed() -> None:
    assert BuildOutcome(success=True, seconds=1.0).summary() == "nothing in 1.0s: nothing ran"
    ran = BuildOutcome(success=True, seconds=1.0, nodes=[NodeOutcome("fct_arpa", "model", "success", 0.1)])
    assert ran.summary() == "1 model in 1.0s: all passed"


def test_a_selection_that_names_nothing_is_a_warning(tmp_path: Path) -> None:
    # A misspelt --select used to end in "Build succeeded: nothing ...: all passed", which a
    # scheduled job's log would not flag. dbt warns, and goes on; so does plg, naming it.
    result = build(TINY, tmp_path / "kpis.duckdb", "--select", "fct_arpaa", "--select", "stg_crm__sales_touches")
    assert ("Warning: --select fct_arpaa matches no model, test or seed of the project, so it built nothing"
            in result.stderr), result.stderr
    assert "--select stg_crm__sales_touches" not in result.stderr  # the selector that matched is not named
    assert "Build succeeded: 1 model" in result.stdout, result.stdout
