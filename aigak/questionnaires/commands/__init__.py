"""Subcommands of `aigak form`, one module each.

A module here provides `HELP`, `add_arguments(parser)` and `handle(command, options)`;
`management/commands/form.py` finds them and dispatches.
"""
