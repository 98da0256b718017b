from typing import Any

from django.http import HttpRequest

from gongzhi.org.permissions import scope_for


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {"scope": scope, "role_names": sorted(scope.roles)}
