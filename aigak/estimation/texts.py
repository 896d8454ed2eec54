"""The engine's words: its models' descriptions and its reasons for giving no estimate, in
English, as the command prints them and the JSON carries them. The estimation page says
them in its reader's language (`aigak.estimation.templatetags.estimation_words`), matching
these texts; this module imports nothing, so the page's side stays light."""

from __future__ import annotations

# Descriptions of models (the log-linear ones are their terms, e.g. "A*B, A*C", or this).
INDEPENDENCE = "main effects only (lists independent)"
MT = "a capture probability per list, no heterogeneity (as independence)"
MTH_CHAO = "Mt plus Chao's lower-bound heterogeneity columns max(f - j + 1, 0), j >= 3"
MTH_POISSON2 = "Mt plus heterogeneity 2^f - 1 (f: lists recording)"
MTH_DARROCH = "Mt plus heterogeneity f^2/2 (f: lists recording)"
LCMCR = (
    "Bayesian non-parametric latent-class model (Manrique-Vallier 2016); "
    "posterior median and 95% credible interval"
)

# Why a model gave no estimate; {names} are filled with str.format.
NOT_IDENTIFIABLE = "the model has more parameters than the lists can identify"
UNBOUNDED = (
    "the estimate does not exist for this model: the lists overlap too little, so "
    "the number no list recorded is unbounded"
)
INFINITE_TERM = (
    "the estimate does not exist for this model: no one was recorded in the histories "
    "that term {term} describes, so it is estimated at infinity"
)
INFINITE = (
    "the estimate does not exist for this model: no one was recorded in the histories "
    "that a term describes, so it is estimated at infinity"
)
NO_MODEL_FITS = "no hierarchical model fits"
LCMCR_LISTS = "the latent-class model needs three lists or more"
LCMCR_STOPPED = (
    "the sampler was stopped after {seconds:.1f} s, before it had kept {draws} draws per chain"
)
