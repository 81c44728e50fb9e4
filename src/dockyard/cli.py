"""Command line: parse arguments, hand them to one command module, return its exit code. Nothing else.

Each sub-command lives in ``dockyard.commands.<module>`` and exposes ``configure(parser, words)`` (``words``: the
command line's plain words after the command, for a module that builds only the sub-parser they name) and
``run(args) -> int``. Modules are imported only when their command runs, which keeps start-up cheap.
"""

from __future__ import annotations

import importlib
import os
import sys

from dockyard import __version__, regex, runcache
from dockyard.model import UsageError

# command name -> (module under dockyard.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "audit a repository against the standard"),
    "fix": ("fix", "apply safe automatic fixes"),
    "rules": ("rules", "list the rules"),
    "rule": ("rule", "explain one rule"),
    "env": ("env", "per-environment view of compose and env files"),
    "init": ("init", "generate the reference FastAPI service"),
    "deps": ("deps", "lock, wheelhouse and wheel-availability jobs"),
}


def _terminal_columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _build_parser(command: str | None, words: list[str] = ()):
    # lazy: imported once dockyard.regex.preload has run, so that the patterns gettext compiles as it is imported
    # come from the store
    import argparse

    class _Parser(argparse.ArgumentParser):
        """argparse's parser, whose help is as wide as ``shutil.get_terminal_size`` says without importing
        ``shutil`` (argparse imports it for every argument added, and it loads the bz2 and lzma extensions)."""

        def _get_formatter(self):
            return self.formatter_class(prog=self.prog, width=_terminal_columns() - 2)

    parser = _Parser(prog="dockyard", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"dockyard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        if command is not None and name != command:
            continue  # a known command needs only its own sub-parser (and module)
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            regex.noting(importlib.import_module, f"dockyard.commands.{module}").configure(sp, words)
    return parser


# The cyclic garbage collector's default first threshold (700 allocations) makes a run that builds large trees
# (a compose file of thousands of services, its merged views) spend more time in full collections the larger
# the input: superlinear. Collecting young objects every 150,000 allocations instead, as mypy does, keeps it
# linear; a run holds its parsed files until it ends anyway.
GC_THRESHOLDS = (150_000, 10, 10)


def main(argv: list[str] | None = None) -> int:
    import gc

    gc.set_threshold(*GC_THRESHOLDS)
    argv = list(sys.argv[1:] if argv is None else argv)
    words = [a for a in argv if not a.startswith("-")]
    command = words[0] if words and words[0] in COMMANDS else None
    parser = _build_parser(command, words[1:])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    regex.note_fixed()
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    module = importlib.import_module(f"dockyard.commands.{COMMANDS[args.command][0]}")
    try:
        return int(module.run(args))
    except UsageError as exc:
        print(f"dockyard: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error is exit 2 with a clear line, never a bare traceback
        if "DOCKYARD_DEBUG" in os.environ:
            raise
        from dockyard.secrets import mask_text  # lazy: only an internal error needs it

        print(f"dockyard: internal error: {type(exc).__name__}: {mask_text(str(exc))}", file=sys.stderr)
        return 2


def entry() -> None:
    """The ``dockyard`` console script and ``python -m dockyard``: :func:`main`, then exit without the
    interpreter's teardown. Freeing every module and object one by one costs about a fifth of a short run (a
    check of one Dockerfile) and has nothing to save: the output streams are flushed and the exit handlers run
    here first. When that cannot be done cleanly (a stream that fails to flush, a thread still running), the
    interpreter exits as usual. Regular expressions compiled by an earlier run are reused (see
    :func:`dockyard.regex.preload`), and a check whose inputs have not changed since an earlier run replays that
    run's report (see :mod:`dockyard.runcache`)."""
    argv = sys.argv[1:]
    recording = None
    if runcache.wanted(argv):
        entry = runcache.entry_path(argv)
        code = runcache.replay(entry)
        if code is not None:
            _exit(code)
        recording = runcache.record(entry)
    regex.preload()
    code = main()
    if recording is not None:
        recording.finish(code)
    _exit(code, remember=True)


def _exit(code: int, remember: bool = False) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # a closed pipe, say: the interpreter reports it as it always does
    if "threading" in sys.modules and sys.modules["threading"].active_count() > 1:
        sys.exit(code)
    if not remember:
        os._exit(code)
    regex.remember()
    import atexit

    atexit._run_exitfuncs()  # weakref finalizers (temporary directories) and any other exit handler
    os._exit(code)
