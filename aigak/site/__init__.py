"""The project layer: what spans the domain apps.

It owns the URL map (`aigak.site.urls`), the home page and the `serve` command; with
`aigak/cli.py` (the `aigak` command) it is the only code that may import every app.
The domain apps never import it. See docs/architecture.md.
"""
