"""Ledger filters kept under a name: saved (a new name, or the same name again replaces
its conditions) and deleted, each with an audit event. The conditions are checked by the
ledger's own parser (``selectors.LedgerFilter``), so a saved filter always opens."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from gongzhi.cases.models import SavedFilter
from gongzhi.cases.selectors import LedgerFilter
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput, NotFound

MAX_FILTERS = 50
# Paging and exports are not conditions.
NOT_KEPT = {"page", "format", "csrfmiddlewaretoken", "name"}


def clean_query(query: str) -> str:
    """The conditions of a ledger query string, checked and in a stable order."""
    pairs = [(k, v.strip()) for k, v in parse_qsl(query, keep_blank_values=False)]
    pairs = sorted((k, v) for k, v in pairs if k not in NOT_KEPT and v)
    f = LedgerFilter.from_params(QueryDict(urlencode(pairs)))
    if f.errors:
        raise InvalidInput(errors=[FieldError(k, str(v)) for k, v in f.errors.items()])
    return urlencode(pairs)


@transaction.atomic
def saved_filter_save(*, user: Any, name: str, query: str) -> SavedFilter:
    name = name.strip()
    if not name:
        raise InvalidInput(errors=[FieldError("name", _("请填写名称"))])
    if len(name) > 40:
        raise InvalidInput(errors=[FieldError("name", _("名称不能超过 40 个字"))])
    conditions = clean_query(query)
    kept, created = SavedFilter.objects.select_for_update().get_or_create(
        user=user, name=name, defaults={"query": conditions}
    )
    if created:
        if SavedFilter.objects.filter(user=user).count() > MAX_FILTERS:
            raise InvalidInput(
                errors=[
                    FieldError(
                        "name", _("最多保存 %(n)s 个筛选，请先删除不用的") % {"n": MAX_FILTERS}
                    )
                ]
            )
    else:
        SavedFilter.objects.filter(pk=kept.pk).update(query=conditions)
        kept.query = conditions
    audit_record(
        actor=user,
        action="saved_filter_save",
        target=kept,
        reason=name,
        extra={"query": conditions, "created": created},
    )
    return kept


@transaction.atomic
def saved_filter_delete(*, user: Any, pk: int) -> None:
    kept = SavedFilter.objects.select_for_update().filter(pk=pk, user=user).first()
    if kept is None:
        raise NotFound(_("没有这个保存的筛选"))
    audit_record(actor=user, action="saved_filter_delete", target=kept, reason=kept.name)
    kept.delete()
