"""`python -m dprk_records`, and the `dprk` script (pyproject's entry point is `run`).

`dprk --version` alone on the line is answered here, before click is imported, so it
costs little more than Python's own start; everything else goes to dprk_records.main.
"""

import sys

from dprk_records import __version__


def run() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        try:
            sys.stdout.write(f"dprk {__version__}\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away: stop quietly, as dprk_records.main does
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        sys.exit(0)
    from dprk_records.main import main  # start-up: click and the command line load after --version

    main()


if __name__ == "__main__":
    run()
