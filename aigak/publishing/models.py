"""The publishing app's models."""

from aigak.publishing.intake_models import PublicForm, Submission, SubmissionFile

__all__ = ["PublicForm", "Submission", "SubmissionFile"]
