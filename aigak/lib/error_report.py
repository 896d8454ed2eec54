"""Django's exception reporter, imported when an error is first reported.

Django's default logging makes its e-mail handler at set-up, and the handler imports the
class that `DEFAULT_EXCEPTION_REPORTER` names: `django.views.debug`, which brings the
debug page's template tags, a few milliseconds of every command's start. Settings name
`exception_reporter` instead: it takes the class's arguments and returns the class's
instance, so the handler and Django's error page report as before."""

from __future__ import annotations

from typing import Any


def exception_reporter(*args: Any, **kwargs: Any) -> Any:
    """`django.views.debug.ExceptionReporter(*args, **kwargs)`."""
    from django.views.debug import ExceptionReporter

    return ExceptionReporter(*args, **kwargs)
