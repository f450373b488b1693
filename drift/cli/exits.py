"""drift's exit codes, for every command and subcommand (docs/operations.md#exit-codes).

0 clean, 2 drift at or above --fail-on, 1 everything else, 128 + signal when stopped
(130 Ctrl-C, 143 SIGTERM). click exits 2 on a usage error (an unknown or mistyped
flag, a missing --project, a value out of range), which CI would read as "drift
found": `DriftGroup` runs click without its own exit handling and maps the outcome.
"""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from drift.cli.interrupt import Interrupted, finish, signals_stop_the_run

EXIT_CLEAN = 0
EXIT_ERROR = 1
EXIT_DRIFT = 2
EXIT_SIGINT = 130


class DriftGroup(click.Group):
    """The top-level `drift` group: click's exceptions become drift's exit codes."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The `drift` process itself (console script, `python -m drift`): GC tuned for a
        short run, and a fast exit once the command is done (drift/cli/process.py).
        CliRunner and library callers use `main()`, which is unchanged."""
        from drift.cli.process import run_process

        run_process(lambda: self.main(*args, **kwargs))

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run a command and exit with drift's code (standalone_mode=False: click's behaviour)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            with signals_stop_the_run():
                rv = super().main(args, prog_name, complete_var, False, **extra)
        except Interrupted as err:
            finish(err)
        except click.Abort as err:
            # A KeyboardInterrupt that did not come through our handler (not the main
            # thread), or EOF at a prompt: click has already ended the line.
            if isinstance(err.__cause__, KeyboardInterrupt):
                finish(Interrupted(signal.SIGINT))
            click.echo("Aborted!", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as err:
            # UsageError (NoSuchOption, MissingParameter, BadParameter, ...) and every
            # other click error: its sentence on stderr, exit 1, never click's 2.
            err.show()
            sys.exit(EXIT_ERROR)
        except Exception:  # noqa: BLE001 - a bug in drift: shown whole, never as a finding
            # Only Google and transport errors become not_checked values
            # (drift/collectors/lister.py COLLECT_ERRORS): anything else is drift's own
            # mistake and must fail loudly, with the traceback a bug report needs.
            traceback.print_exc()
            click.echo(
                "drift: internal error: this is a bug in drift, not a problem of the project "
                "checked; the traceback above says where. Nothing was reported as checked.",
                err=True,
            )
            sys.exit(EXIT_ERROR)
        # `--help` and `--version` come back here as exit code 0 (click's Exit).
        sys.exit(rv if isinstance(rv, int) else EXIT_CLEAN)
