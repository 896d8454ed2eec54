"""Who a device is: a token in the URL (`/openrosa/key/<token>/`, an `aigak token`),
or HTTP Basic authentication for users without a second factor.

A second factor cannot be typed into ODK Collect, so a user who has one (or whose role
needs one) collects with a token only; their password alone opens nothing here.
Failed Basic logins count towards the lockout like the login page's (django-axes).
"""

from __future__ import annotations

import base64
import binascii

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django_otp import user_has_device

from aigak.accounts import twofactor
from aigak.accounts.models import User
from aigak.accounts.tokens import user_for_token

REALM = "Aigak"


def token_user(token: str) -> User | None:
    return user_for_token(token) if token else None


def basic_user(request: HttpRequest) -> User | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep:
        return None
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        return None
    if twofactor.required(user) or user_has_device(user):
        return None
    return user


def challenge() -> str:
    return f'Basic realm="{REALM}", charset="UTF-8"'
