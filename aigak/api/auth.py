"""Who is asking: an `Authorization: Token <key>` header (aigak.accounts.tokens) or the
session of the pages' own scripts; and how often they may ask (per token)."""

from __future__ import annotations

import hashlib
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling
from rest_framework.request import Request

from aigak.accounts.tokens import user_for_token

SCHEME = "Token"


def _key(request: Request) -> str:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() in ("token", "bearer") else ""


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A token issued by `aigak token NAME` or the account page; hashed at rest."""

    def authenticate(self, request: Request) -> tuple[Any, str] | None:
        key = _key(request)
        if not key:
            return None
        user = user_for_token(key)
        if user is None:
            raise exceptions.AuthenticationFailed("the token is unknown, expired or revoked")
        return user, key

    def authenticate_header(self, request: Request) -> str:
        return SCHEME


class TokenSchema(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "aigak.api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key from `aigak token NAME` or the account page",
        }


class PerTokenThrottle(throttling.SimpleRateThrottle):
    """One budget per token (a hash of it, never the key), or per user for sessions."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request.auth if isinstance(request.auth, str) else ""
        if key:
            ident = "t" + hashlib.sha256(key.encode()).hexdigest()[:32]
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
