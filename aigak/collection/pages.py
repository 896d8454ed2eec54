"""The coordinators' pages of field collection (admins and coordinators): who collects
with which forms, their phones' tokens and QR codes, the forms' media, submissions kept
for review and those waiting for decryption."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.accounts.models import User
from aigak.accounts.tokens import live_tokens
from aigak.collection import actions, decrypting, phone_settings
from aigak.collection.models import (
    CollectionAccess,
    Device,
    FormMedia,
    Submission,
    SubmissionState,
)
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import ensure_shipped

MAX_KEY = 64 * 1024


def _require(request: HttpRequest) -> User:
    user: Any = request.user
    perms.require(perms.can_manage_collection(user), "manage field collection")
    return user  # type: ignore[no-any-return]


def _collectors() -> list[User]:
    users = User.objects.filter(is_active=True).order_by("username")
    return [u for u in users if perms.can_create_records(u)]


def home(request: HttpRequest) -> HttpResponse:
    _require(request)
    ensure_shipped()
    open_states = [SubmissionState.REVIEW, SubmissionState.INCOMPLETE]
    return render(
        request,
        "collection/home.html",
        {
            "collectors": _collectors(),
            "open": Submission.objects.filter(state__in=open_states).select_related(
                "questionnaire", "user"
            )[:200],
            "encrypted": decrypting.waiting().count(),
            "forms": Questionnaire.objects.filter(current__isnull=False).order_by("name"),
        },
    )


def user_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require(request)
    user = get_object_or_404(User, pk=pk, is_active=True)
    context: dict[str, Any] = {"person": user}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "forms":
            chosen = Questionnaire.objects.filter(name__in=request.POST.getlist("forms"))
            every = request.POST.get("all_forms") == "on"
            actions.set_forms(actor, user, all_forms=every, forms=list(chosen))
            messages.success(request, _("The forms have been saved."))
        elif action == "token":
            try:
                key = actions.issue_collection_token(actor, user)
            except actions.CollectionRefused as exc:
                messages.error(request, str(exc))
                return redirect("collection:user", pk=pk)
            url = request.build_absolute_uri(reverse("openrosa-key:form-list", args=[key]))
            server_url = url.removesuffix("formList")
            payload = phone_settings.qr_payload(
                phone_settings.collect_settings(server_url, user.username)
            )
            context |= {"qr": phone_settings.qr_svg(payload), "server_url": server_url}
        elif action in ("revoke", "revoke_all"):
            pk_token = request.POST.get("token") if action == "revoke" else None
            count = actions.revoke_tokens(actor, user, int(pk_token) if pk_token else None)
            messages.success(request, _("Tokens revoked: %(n)d") % {"n": count})
        if "qr" not in context:
            return redirect("collection:user", pk=pk)
    access = CollectionAccess.objects.filter(user=user).first()
    chosen_names = (
        set(access.forms.values_list("name", flat=True))
        if access and not access.all_forms
        else set()
    )
    context |= {
        "all_forms": access is None or access.all_forms,
        "forms": Questionnaire.objects.filter(current__isnull=False).order_by("name"),
        "chosen": chosen_names,
        "tokens": live_tokens(user),
        "devices": Device.objects.filter(user=user).order_by("-last_seen"),
        "may_collect": perms.can_create_records(user),
    }
    return render(request, "collection/user.html", context)


def submission_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require(request)
    submission = get_object_or_404(
        Submission.objects.select_related("questionnaire", "user", "record"), pk=pk
    )
    if request.method == "POST":
        try:
            submission = actions.try_again(actor, submission)
        except actions.CollectionRefused as exc:
            messages.error(request, str(exc))
        else:
            if submission.state == SubmissionState.ACCEPTED:
                messages.success(request, _("The submission made a record."))
            else:
                messages.error(request, _("The submission still breaks the form's rules."))
        return redirect("collection:submission", pk=pk)
    readable = submission.state != SubmissionState.ENCRYPTED
    return render(
        request,
        "collection/submission.html",
        {
            "submission": submission,
            "xml": bytes(submission.xml).decode("utf-8", "replace") if readable else "",
            "files": submission.files.all(),
        },
    )


def decrypt_page(request: HttpRequest) -> HttpResponse:
    actor = _require(request)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("private_key")
        if upload is None or (upload.size or 0) > MAX_KEY:
            messages.error(request, _("Choose the form's private key file (PEM)."))
            return redirect("collection:decrypt")
        key = upload.read()  # kept in memory for this request only, never stored
        name = request.POST.get("form", "")
        questionnaire = Questionnaire.objects.filter(name=name).first() if name else None
        result = decrypting.decrypt_waiting(actor, key, questionnaire)
        del key
    return render(
        request,
        "collection/decrypt.html",
        {
            "waiting": decrypting.waiting()[:500],
            "forms": Questionnaire.objects.filter(current__isnull=False).order_by("name"),
            "result": result,
        },
    )


def media_page(request: HttpRequest, name: str) -> HttpResponse:
    actor = _require(request)
    questionnaire = get_object_or_404(Questionnaire, name=name)
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                media = get_object_or_404(
                    FormMedia, pk=request.POST["remove"], questionnaire=questionnaire
                )
                actions.remove_media(actor, media)
            else:
                for upload in request.FILES.getlist("files"):
                    data = upload.read(actions.MAX_MEDIA + 1)
                    actions.add_media(actor, questionnaire, upload.name or "", data)
        except actions.CollectionRefused as exc:
            messages.error(request, str(exc))
        return redirect("collection:media", name=name)
    return render(
        request,
        "collection/media.html",
        {
            "questionnaire": questionnaire,
            "media": FormMedia.objects.filter(questionnaire=questionnaire).defer("data"),
        },
    )
