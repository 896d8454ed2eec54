"""Background runs: work that takes longer than a web request (matching, the
latent-class estimate), asked for by a page and run outside it.

`aigak.runs.models.BackgroundRun` is what every run records; each kind of run is a
concrete model of its own app that names its work, its slot and its messages.
`aigak.runs.background` runs them: in a thread of the web server, or in `aigak worker`
when the deployment asks (`AIGAK_RUNS_IN=worker`). See docs/architecture.md.
"""
