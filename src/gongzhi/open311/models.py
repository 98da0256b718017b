"""The one table Open311 adds: the token a POST hands back (GeoReport v2 ``token``),
which ``tokens/{token}`` turns into the case number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case


class RequestToken(models.Model):
    token = models.CharField(_("令牌"), max_length=32, unique=True)
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="open311_tokens"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 请求令牌")
        verbose_name_plural = _("Open311 请求令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.token
