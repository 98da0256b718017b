"""A ledger filter a user keeps under a name (保存的筛选), to open again from the ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class SavedFilter(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("名称"), max_length=40)
    # The ledger's query string without paging (estate=…&state=…&q=…), as the page sends it.
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name
