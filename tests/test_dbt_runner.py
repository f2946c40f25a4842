"""The Python around a dbt invocation: Python's cyclic garbage collector, off while dbt runs."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from plg.dbt_runner import cyclic_gc_paused


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
