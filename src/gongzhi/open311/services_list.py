"""What ``services`` and ``services/{code}`` say: the effective duty catalog of the
jurisdiction named by ``jurisdiction_id`` (catalog.selectors.effective_catalog), one
service per matter. A matter whose handling needs to know where in the estate (a
dwelling's structure, an illegal building, a lift) asks for the building, entrance and
room as attributes (``metadata`` true); every other matter has ``metadata`` false."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.catalog.models import MatterType
from gongzhi.catalog.selectors import EffectiveEntry, effective_catalog
from gongzhi.common.errors import DomainError, NotFound
from gongzhi.org.models import Jurisdiction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Category = MatterType.Category


@dataclass(frozen=True)
class Attribute:
    code: str
    description: StrOrPromise
    required: bool
    max_length: int = 20

    def as_record(self, order: int) -> dict[str, Any]:
        return {
            "variable": True,
            "code": self.code,
            "datatype": "string",
            "required": self.required,
            "datatype_description": _("不超过 %(n)s 个字") % {"n": self.max_length},
            "order": order,
            "description": str(self.description),
        }


BUILDING = Attribute("building", gettext_lazy("楼栋号（如 3 号楼）"), True)
ENTRANCE = Attribute("unit_no", gettext_lazy("单元号"), False)
ROOM = Attribute("room", gettext_lazy("房号（不公开）"), False)
LIFT_ENTRANCE = Attribute("unit_no", gettext_lazy("电梯所在单元"), True)
# Matters whose handlers must find the dwelling or the structure (003 二 the housing
# bureau's structure checks and 执法局's illegal buildings; 市场监管局's lifts).
ATTRIBUTES_BY_CATEGORY: dict[str, tuple[Attribute, ...]] = {
    Category.HOUSING_SAFETY: (BUILDING, ENTRANCE, ROOM),
    Category.ILLEGAL_BUILDING: (BUILDING, ENTRANCE, ROOM),
    Category.CIVIL_DEFENCE: (BUILDING,),
    Category.SPECIAL_EQUIPMENT: (BUILDING, LIFT_ENTRANCE),
}
# Attributes every service accepts without listing them (docs/open311.md).
COMMON_ATTRIBUTES = ("estate", "channel", "urgency")


def jurisdiction_for(code: str) -> Jurisdiction:
    if not code:
        raise DomainError(_("请提供 jurisdiction_id（辖区代码，如 370829000000）"))
    # A county's six-digit division code stands for its twelve-digit statistical code.
    full = code + "000000" if len(code) == 6 and code.isdigit() else code
    jurisdiction = Jurisdiction.objects.filter(code__in=[code, full]).order_by("code").first()
    if jurisdiction is None:
        raise NotFound(_("辖区代码“%(code)s”不存在") % {"code": code})
    return jurisdiction


def attributes_for(matter: MatterType) -> tuple[Attribute, ...]:
    return ATTRIBUTES_BY_CATEGORY.get(matter.category, ())


def service_record(entry: EffectiveEntry) -> dict[str, Any]:
    matter = entry.matter
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": matter.description,
        "metadata": bool(attributes_for(matter)),
        "type": "realtime",
        "keywords": ",".join(str(k) for k in matter.keywords or []),
        "group": matter.category,
    }


def services(jurisdiction: Jurisdiction) -> list[dict[str, Any]]:
    return [service_record(e) for e in effective_catalog(jurisdiction).values()]


def entry_for(jurisdiction: Jurisdiction, code: str) -> EffectiveEntry:
    entry = effective_catalog(jurisdiction).get(code)
    if entry is None:
        raise NotFound(
            _("辖区“%(place)s”的职责清单中没有事项“%(code)s”")
            % {"place": jurisdiction.name, "code": code}
        )
    return entry


def definition(jurisdiction: Jurisdiction, code: str) -> dict[str, Any]:
    entry = entry_for(jurisdiction, code)
    return {
        "service_code": entry.matter.code,
        "attributes": [a.as_record(i) for i, a in enumerate(attributes_for(entry.matter), 1)],
    }
