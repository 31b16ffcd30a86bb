"""The ``kamo`` command line.

Each module in this package named ``cmd_*.py`` adds its commands through a
``register(app)`` function, so that every part of kamo owns its own commands
and this front door stays short.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from missions.cli._common import KamoCLIError, err_console

app = typer.Typer(
    name="kamo",
    help="kamo: plan and fly small-body missions (trajectories, GNC, autonomy, ground, campaigns).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """kamo: plan and fly small-body missions."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            module.register(app)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input ends in one line on stderr and exit code 2, never a traceback."""
    try:
        # standalone_mode=False makes click return a command's exit code instead of exiting
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except KamoCLIError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
    except (ValueError, KeyError, FileNotFoundError, TypeError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        err_console.print(f"[bold red]error:[/] {message}", highlight=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        # click's usage errors (typer vendors click, so match by behaviour, not class)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show(file=sys.stderr)
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
