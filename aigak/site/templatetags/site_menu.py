"""{% main_menu as items %}: the menu entries the signed-in user may open."""

from __future__ import annotations

from typing import Any

from django import template

from aigak.site.menu import MenuItem, menu

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context: Any) -> list[MenuItem]:
    request = context.get("request")
    return menu(request.user) if request is not None else []
