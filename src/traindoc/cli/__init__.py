"""The command line: thin wrappers that parse arguments, call the library, pick a report.

Every command module registers itself on the ``main`` group. Errors the user can act on
(``TraindocError``) become one line on stderr and exit code 2; anything unexpected becomes one
line too (never a traceback, unless TRAINDOC_DEBUG is set).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__
from ..errors import TraindocError

EXIT_INPUT = 2
EXIT_INTERNAL = 3

# Modules that add commands to ``main``; each owns one verb (or a close pair of verbs).
_COMMAND_MODULES = ("show", "diagnose", "rules_cmd", "report", "zoo", "check", "demo", "compare")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(version=__version__, prog_name="traindoc")
def main() -> None:
    """traindoc: is my training normal, and if not, what is wrong and what do I do?"""


for _mod in _COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_mod}")


def fail(message: str, code: int = EXIT_INPUT) -> "NoReturn":  # type: ignore[name-defined]
    """Print one error line and exit."""
    click.echo(f"traindoc: error: {message}", err=True)
    sys.exit(code)


def run() -> None:
    """Console-script entry point with the no-traceback guarantee."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("traindoc: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except TraindocError as exc:
        fail(str(exc))
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the promise: one line, never a traceback
        if os.environ.get("TRAINDOC_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (set TRAINDOC_DEBUG=1 for a traceback)", EXIT_INTERNAL)
    sys.exit(0)
