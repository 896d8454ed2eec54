"""Plain-text rendering of an estimate, for `aigak estimate --format text`."""

from __future__ import annotations

from aigak.estimation.results import EstimationResult, ModelResult


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _interval(model: ModelResult) -> str:
    if model.ci95 is None:
        return "-"
    low, high = model.ci95
    return f"{_count(low)} - {'unbounded' if high is None else _count(high)}"


def as_text(result: EstimationResult) -> str:
    head = result.headline
    lines = [
        f"Lists: {len(result.lists)} ({', '.join(result.lists)}); "
        f"people recorded: {result.observed:,}",
    ]
    if head.ok:
        lines.append(
            f"Estimate ({result.model}): {_count(head.estimate)} (95% interval {_interval(head)})"
        )
    else:
        lines.append(f"Estimate ({result.model}): cannot be estimated: {head.reason}")
    lines += ["", f"{'model':<22}{'estimate':>12}  {'95% interval':<24}{'AIC':>10}{'BIC':>10}"]
    for model in result.models:
        if not model.ok:
            lines.append(f"{model.name:<22}{'-':>12}  cannot be estimated: {model.reason}")
            continue
        aic = "-" if model.aic is None else f"{model.aic:.1f}"
        bic = "-" if model.bic is None else f"{model.bic:.1f}"
        lines.append(
            f"{model.name:<22}{_count(model.estimate):>12}  {_interval(model):<24}{aic:>10}{bic:>10}"
        )
        if model.name.startswith("best_") and model.description:
            lines.append(f"{'':<24}terms: {model.description}")
    for model in result.models:
        settings = model.details.get("settings")
        check = model.details.get("convergence")
        if model.name == "lcmcr" and isinstance(settings, dict) and isinstance(check, dict):
            lines += [
                "",
                "lcmcr sampler: " + ", ".join(f"{key}={value}" for key, value in settings.items()),
                f"convergence: {'passed' if check['converged'] else 'NOT passed'} "
                f"(split R-hat {check['split_rhat']}, effective size {check['effective_size']}; "
                f"rule: {check['rule']})",
            ]
    if result.strata:
        lines += ["", f"strata ({result.strata_column}):"]
        for stratum in result.strata:
            lines.append(
                f"  {stratum.stratum:<20}{stratum.observed:>8,} recorded  "
                f"{_count(stratum.estimate):>10} ({stratum.model})"
            )
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
