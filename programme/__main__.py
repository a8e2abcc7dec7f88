"""``python -m programme`` and the ``programme`` command."""

from __future__ import annotations

import atexit
import os
import sys


def run() -> None:
    """Run the command line, then leave without tearing the interpreter down: freeing a
    large festival's objects one by one takes a fifth of a second, and every file is
    written (atomically) and every worker gone by then. Exit handlers still run."""
    from .cli import main

    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
