"""Subcommands of `aigak form`, one module each.

A module here provides `handle(command, options)`; its help text and arguments are in
aigak/lib/cli_options.py (FORM_ACTIONS, by the subcommand's name), so that `aigak form --help`
needs no Django. `management/commands/form.py` finds the modules and dispatches.
"""
