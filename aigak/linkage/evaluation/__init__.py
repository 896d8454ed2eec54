"""An independent evaluation of the linkage model, kept apart from the model's code.

Nothing here is imported by `aigak link`/`aigak dedupe`. The transliterations are
written from the published standards (`standards`), the names and their frequencies
come from real data (`data/`, see `names`), and the lists are produced by `generator`,
which shares no table with `aigak.lib.names` or `aigak.linkage.synthetic`. FEBRL 1-4
are read by `febrl`. Seeds are split: `generator.TUNING_SEEDS` may be used to adjust the
model, `generator.EVALUATION_SEEDS` only to measure it.
"""
