"""The duty catalog (职责清单): which unit kind leads and which assist for each matter
type, with its legal basis and time limits. A catalog belongs to a jurisdiction and is
inherited downward; a lower catalog refines or overrides entries by code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.catalog.timelimits import parse_time_limit, validate_time_limit
from gongzhi.common.models import BaseModel
from gongzhi.org.models import Jurisdiction, Unit, UnitKind


class Catalog(BaseModel):
    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="catalog"
    )
    name = models.CharField(_("清单名称"), max_length=120)
    source = models.CharField(_("出处"), max_length=200, blank=True)
    revision = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("职责清单")
        verbose_name_plural = _("职责清单")
        ordering = ["jurisdiction__path"]

    def __str__(self) -> str:
        return self.name


class MatterType(BaseModel):
    class Category(models.TextChoices):
        HOUSING_SAFETY = "房屋安全", _("房屋安全")
        ILLEGAL_BUILDING = "违法建设", _("违法建设")
        PROPERTY_SERVICE = "物业服务", _("物业服务")
        PROPERTY_FEES = "物业收费", _("物业收费")
        MAINTENANCE_FUND = "专项维修资金", _("专项维修资金")
        PUBLIC_ORDER = "治安秩序", _("治安秩序")
        NOISE = "噪声扰民", _("噪声扰民")
        FUMES = "油烟污染", _("油烟污染")
        SANITATION = "环境卫生", _("环境卫生")
        GREENERY = "绿化", _("绿化")
        SPECIAL_EQUIPMENT = "特种设备", _("特种设备")
        FIRE_SAFETY = "消防安全", _("消防安全")
        CIVIL_DEFENCE = "人防工程", _("人防工程")
        PLANNING = "规划建设", _("规划建设")
        MARKET = "市场经营", _("市场经营")
        PUBLIC_SERVICE = "公共服务", _("公共服务")
        SELF_GOVERNANCE = "业主自治", _("业主自治")
        PARTY_GUIDANCE = "党建指导", _("党建指导")
        MEDIATION = "矛盾调解", _("矛盾调解")
        HOTLINE = "热线受理", _("热线受理")
        OTHER = "其他", _("其他")

    catalog = models.ForeignKey(
        Catalog, verbose_name=_("职责清单"), on_delete=models.CASCADE, related_name="matters"
    )
    code = models.CharField(_("事项编码"), max_length=32)
    name = models.CharField(_("事项名称"), max_length=100)
    parent_code = models.CharField(_("上级事项编码"), max_length=32, blank=True)
    category = models.CharField(
        _("类别"), max_length=16, choices=Category.choices, default=Category.OTHER
    )
    description = models.TextField(_("职责描述"), blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    phrasings = models.JSONField(_("常见说法"), default=list, blank=True)
    # Words that rule this matter out although its phrasings match ("噪音" from a building
    # site is not neighbours' noise): the classifier never proposes the matter then.
    exclusions = models.JSONField(
        _("排除说法"),
        default=list,
        blank=True,
        help_text=_("文字中出现这些说法时，不归入本事项"),
    )
    # Inherited entries (the province's reference catalog) this local entry stands in for:
    # they leave the effective catalog below, and their phrasings teach the classifier
    # this entry, so a county keeps its own wording and units.
    replaces = models.JSONField(
        _("取代上级事项"),
        default=list,
        blank=True,
        help_text=_("本事项取代的上级清单事项编码"),
    )
    legal_basis = models.TextField(_("法律依据"), blank=True)
    source = models.CharField(_("出处"), max_length=120, blank=True)
    lead_kind = models.ForeignKey(
        UnitKind,
        verbose_name=_("牵头单位类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_matters",
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("指定牵头单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_matters",
    )
    assist_kinds = models.ManyToManyField(
        UnitKind, verbose_name=_("协办单位类型"), blank=True, related_name="assisted_matters"
    )
    # Where two units of one kind serve the same place (通信 and 宽带 are both telecom
    # utilities in 嘉祥), the kind alone cannot say which assists: the entry names them.
    assist_units = models.ManyToManyField(
        Unit,
        verbose_name=_("指定协办单位"),
        blank=True,
        related_name="assisted_matters",
        help_text=_("同一辖区有多个同类单位时，指定由哪一个协办；取代同类型的就近查找"),
    )
    property_scope = models.BooleanField(_("属物业服务范围"), default=False)
    time_limit = models.CharField(
        _("办结时限"), max_length=16, validators=[validate_time_limit], default="15wd"
    )
    accept_limit = models.CharField(
        _("签收时限"), max_length=16, blank=True, validators=[validate_time_limit]
    )
    response_limit = models.CharField(
        _("响应时限"), max_length=16, blank=True, validators=[validate_time_limit]
    )
    disabled = models.BooleanField(
        _("停用"), default=False, help_text=_("在下级清单中停用从上级继承的同编码事项")
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["catalog", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="matter_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def time_limit_label(self) -> str:
        return parse_time_limit(self.time_limit).label if self.time_limit else ""


class TrainingExample(BaseModel):
    """A text whose matter type the office confirmed or corrected (at dispatch, on an
    overruled return): the classifier learns from it at the next ``router train``.
    Append-only; long digit runs (phones, ids) are masked when recorded."""

    class Source(models.TextChoices):
        DISPATCH = "dispatch", _("分派确认")
        OVERRULE = "overrule", _("退回不成立")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("文本"))
    matter_code = models.CharField(_("事项编码"), max_length=32)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    case_number = models.CharField(_("案件编号"), max_length=40, blank=True)
    # The office's page takes a wrong example out of training without erasing the record.
    disabled = models.BooleanField(_("停用"), default=False)

    class Meta:
        verbose_name = _("训练样本")
        verbose_name_plural = _("训练样本")
        ordering = ["-id"]
        indexes = [models.Index(fields=["jurisdiction", "matter_code"])]

    def __str__(self) -> str:
        return f"{self.matter_code} {self.text[:20]}"


class ModelVersion(BaseModel):
    """A trained classifier for one jurisdiction's catalog, with its accuracy on the
    held-back examples. At most one is active per jurisdiction; every web and worker
    process uses the active one (``classify.model_for``)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("版本号"))
    catalog_signature = models.CharField(_("清单指纹"), max_length=64)
    examples = models.PositiveIntegerField(_("训练样本数"), default=0)
    held_out = models.PositiveIntegerField(_("留出评测数"), default=0)
    accuracy = models.FloatField(_("留出准确率"), default=0.0)
    baseline_accuracy = models.FloatField(_("原版本留出准确率"), default=0.0)
    active = models.BooleanField(_("启用"), default=False)
    blob = models.BinaryField(_("模型"), editable=False)

    class Meta:
        verbose_name = _("分类模型版本")
        verbose_name_plural = _("分类模型版本")
        ordering = ["jurisdiction", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "number"], name="model_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["jurisdiction"],
                condition=models.Q(active=True),
                name="model_version_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} v{self.number}"


class CatalogProposal(BaseModel):
    """A change to a catalog proposed from the office's ruling on a unit's return: a
    phrasing or an exclusion for a matter, or a new entry. The office of the jurisdiction
    whose catalog defines the matter (for a new entry: the nearest catalog over the case's
    estate) approves or rejects it; approval writes the change into that catalog."""

    class Kind(models.TextChoices):
        PHRASING = "phrasing", _("增加常见说法")
        EXCLUSION = "exclusion", _("增加排除说法")
        ENTRY = "entry", _("新增事项")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        APPROVED = "approved", _("已采纳")
        REJECTED = "rejected", _("未采纳")

    catalog = models.ForeignKey(
        Catalog, verbose_name=_("职责清单"), on_delete=models.CASCADE, related_name="proposals"
    )
    # Where the ruling was made (the case's community): the proposing office's area.
    raised_in = models.ForeignKey(
        Jurisdiction, verbose_name=_("提出地"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    matter_code = models.CharField(_("事项编码"), max_length=32, blank=True)
    words = models.JSONField(_("说法"), default=list, blank=True)
    name = models.CharField(_("事项名称"), max_length=100, blank=True)
    lead_kind = models.ForeignKey(
        UnitKind,
        verbose_name=_("牵头单位类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_number = models.CharField(_("案件编号"), max_length=40, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # [{"at": iso time, "by": display name, "action": proposed|approved|rejected, "note"}]
    history = models.JSONField(_("经过"), default=list, blank=True)

    class Meta:
        verbose_name = _("清单修改建议")
        verbose_name_plural = _("清单修改建议")
        ordering = ["-id"]
        indexes = [models.Index(fields=["catalog", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.matter_code or self.name}"
