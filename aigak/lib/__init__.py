"""Pure helpers shared by the domain apps; nothing here knows about HTTP."""
