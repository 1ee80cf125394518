"""`--help` in the language of the run: Thai from ``help_th``, else the English declared
with each command.

The language is read from the command line before anything is parsed (``--lang``
before the command's name, else `PLANCYCLE_LANG`, else Thai), because `--help` is
answered while the arguments are parsed, before `plancycle`'s own options take effect.
In Thai the whole tree of commands is given its Thai texts, and rich's headings and
marks (Usage, Options, [required], …) their Thai words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from typer import rich_utils
from typer._click import Command, Context, HelpFormatter, Parameter  # typer's own copy of click
from typer.core import TyperArgument

from plancycle.cli.help_th import (
    ARGUMENTS,
    COMMAND_ARGUMENTS,
    COMMAND_OPTIONS,
    COMMANDS,
    OPTIONS,
    TITLES,
    VALUE_KINDS,
)
from plancycle.errors import PlancycleError
from plancycle.settings import load_settings

__all__ = [
    "ENGLISH",
    "LANG_OPTION",
    "THAI",
    "argument_help_th",
    "commands_of",
    "help_language",
    "option_help_th",
    "shows_help",
    "use_help_language",
]

LANG_OPTION = "--lang"
HELP_OPTION = "--help"
THAI, ENGLISH = "th", "en"
_RICH_WORDS = {  # rich_utils' name: TITLES' key
    "ARGUMENTS_PANEL_TITLE": "arguments",
    "OPTIONS_PANEL_TITLE": "options",
    "COMMANDS_PANEL_TITLE": "commands",
    "REQUIRED_LONG_STRING": "required",
    "DEFAULT_STRING": "default",
}
_RICH_ENGLISH = {name: getattr(rich_utils, name) for name in _RICH_WORDS}


class _ThaiFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{TITLES['usage']} " if prefix is None else prefix)


class _ThaiContext(Context):
    formatter_class = _ThaiFormatter


def help_language(args: Sequence[str], commands: Mapping[str, Any]) -> str:
    """The language a run speaks, read from its arguments before they are parsed: the
    value of ``--lang`` before the command's name, else the settings' language."""
    given = ""
    for i, arg in enumerate(args):
        if arg in commands:
            break
        if arg == LANG_OPTION and i + 1 < len(args):
            given = args[i + 1]
        elif arg.startswith(LANG_OPTION + "="):
            given = arg.partition("=")[2]
    given = given.strip().lower()
    if given in (THAI, ENGLISH):
        return given
    try:
        return load_settings().language
    except PlancycleError:  # refused with its message when the run goes on
        return THAI


def shows_help(root: Command, args: Sequence[str]) -> bool:
    """Whether the run prints help: `--help`, or a group named without a command under it
    (`plancycle`, `plancycle audit`). Only then are the Thai texts put in, so that a
    refusal still names an argument by the name it has in the English line."""
    if HELP_OPTION in args:
        return True
    command = root
    for arg in args:
        command = getattr(command, "commands", {}).get(arg, command)
    return hasattr(command, "commands")


def commands_of(command: Command, path: str = "") -> Iterator[tuple[str, Command]]:
    """(path, command) of a command and every command under it, at every depth; the path
    is the names typed after `plancycle` (``""`` for `plancycle` itself)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands_of(sub, f"{path} {name}".strip())


def _option_name(param: Parameter) -> str:
    return next((o for o in param.opts if o.startswith("--")), param.opts[0])


def option_help_th(path: str, param: Parameter) -> str:
    """The Thai help of an option of the command at ``path`` (KeyError when none)."""
    name = _option_name(param)
    return COMMAND_OPTIONS.get((path, name)) or OPTIONS[name]


def argument_help_th(path: str, param: Parameter) -> tuple[str, str]:
    """(the name shown, the help) in Thai of an argument (KeyError when none)."""
    name = param.name or ""
    shown, text = ARGUMENTS[name]
    return shown, COMMAND_ARGUMENTS.get((path, name), text)


def _value_kind(param: Parameter, ctx: Context) -> str | None:
    """The Thai of the kind of value shown beside a parameter (``<str>`` …)."""
    display_type = getattr(param, "display_type", None)
    return None if display_type is None else VALUE_KINDS.get(display_type(ctx))


def _range_th(low: float | None, high: float | None) -> str | None:
    """The values a number option takes, in Thai (typer writes ``x>=1``)."""
    if low is None and high is None:
        return None
    if high is None:
        return f"ตั้งแต่ {low}"
    return f"ไม่เกิน {high}" if low is None else f"{low} ถึง {high}"


def _flag_default_th(param: Parameter, text: str) -> str:
    """An on/off flag's help with its default named as the option one types (typer
    names it without its dashes)."""
    if not getattr(param, "secondary_opts", None) or not getattr(param, "is_flag", False):
        return text
    setattr(param, "show_default", False)  # noqa: B010
    shown = param.opts[0] if param.default else param.secondary_opts[0]
    return f"{text} {TITLES['default'].format(shown)}"


def _to_thai(path: str, command: Command, ctx: Context) -> None:
    command.help = COMMANDS[path]
    command.options_metavar = TITLES["options_metavar"]
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = TITLES["subcommand_metavar"]
    command.context_class = _ThaiContext
    for param in command.get_params(ctx):  # with --help
        kind = _value_kind(param, ctx)
        if isinstance(param, TyperArgument):
            shown, text = argument_help_th(path, param)
            param.metavar = shown
            if kind is not None:  # typer shows an argument's kind beside its name
                setattr(param, "display_type_rich", lambda ctx, kind=kind: kind)  # noqa: B010
        else:
            text = _flag_default_th(param, option_help_th(path, param))
            if kind is not None:
                param.metavar = kind
            if hasattr(param, "min"):  # a number option with bounds
                shown_range = _range_th(getattr(param, "min", None), getattr(param, "max", None))
                setattr(param, "_get_number_range_help_str", lambda shown=shown_range: shown)  # noqa: B010
        setattr(param, "help", text)  # noqa: B010  (an argument's help is typer's own field)


def use_help_language(root: Command, ctx: Context, thai: bool) -> None:
    """Give ``root`` and every command under it their help in Thai (else leave the
    English), and rich's headings the same language."""
    for name, key in _RICH_WORDS.items():
        setattr(rich_utils, name, TITLES[key] if thai else _RICH_ENGLISH[name])
    if not thai:
        return
    ctx.formatter_class = _ThaiFormatter
    for path, command in commands_of(root):
        _to_thai(path, command, ctx if command is root else Context(command))
