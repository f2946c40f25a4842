"""The Python around a dbt invocation: Python's cyclic garbage collector, off while dbt runs;
progress lines printed whole from dbt's worker threads."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import time

import pytest

from plg.dbt_runner import NodeOutcome, cyclic_gc_paused, print_node, print_step


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
