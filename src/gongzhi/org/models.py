"""The administrative tree, estates, member units, people, their posts and standing
bodies, and the accounts with their roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    # Not a field: gongzhi.org.permissions.scope_for memoises the account's roles here.
    _gongzhi_scope: Any

    class Meta(AbstractUser.Meta):
        # django-stubs types AbstractUser.Meta's names as str; Django itself uses lazy text.
        verbose_name = _("账号")  # type: ignore[assignment]
        verbose_name_plural = _("账号")  # type: ignore[assignment]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class Jurisdiction(BaseModel):
    """A node of 省 → 市 → 县/区 → 街道/镇 → 社区/村. ``path`` holds the codes from the
    root down so that a whole subtree is one indexed prefix query."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县/县级市")
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        TOWN = "town", _("镇")
        COMMUNITY = "community", _("社区")
        VILLAGE = "village", _("村")

    TIER = {
        Level.PROVINCE: 1,
        Level.CITY: 2,
        Level.COUNTY: 3,
        Level.DISTRICT: 3,
        Level.STREET: 4,
        Level.TOWN: 4,
        Level.COMMUNITY: 5,
        Level.VILLAGE: 5,
    }

    code = models.CharField(_("区划代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), default=0, editable=False)

    class Meta:
        verbose_name = _("辖区")
        verbose_name_plural = _("辖区")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> int:
        return self.TIER[self.Level(self.level)]

    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to and including this node."""
        return [c for c in self.path.split("/") if c]


class Estate(BaseModel):
    """A 小区 (物业管理区域). Without a property company the street manages it
    (001 四(二), 003 二(十三)); without an owners' committee the residents' committee acts
    for it (003 二(十三)1)."""

    code = models.CharField(_("小区编码"), max_length=32, unique=True)
    name = models.CharField(_("小区名称"), max_length=100)
    community = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所属社区/村"),
        on_delete=models.PROTECT,
        related_name="estates",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    buildings = models.PositiveIntegerField(_("楼栋数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    property_company = models.ForeignKey(
        "Unit",
        verbose_name=_("物业服务企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_estates",
    )
    owners_committee = models.ForeignKey(
        "Unit",
        verbose_name=_("业主委员会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="represented_estates",
    )
    # Set by parties' custody services while an appointed company holds the estate in
    # temporary custody (临时托管, 001 四(二)); routing sends property-company matters to it
    # while the estate has no company of its own.
    custodian_company = models.ForeignKey(
        "Unit",
        verbose_name=_("临时托管物业服务企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custodied_estates",
    )

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def street(self) -> Jurisdiction | None:
        return self.community.parent


class UnitKind(models.Model):
    """A kind of member unit (住建局, 街道办事处, 物业服务企业, 供水 …). Kinds are data:
    see org/data/unit_kinds.yaml."""

    class Group(models.TextChoices):
        PARTY = "party", _("党委部门")
        GOVERNMENT = "government", _("政府部门")
        GRASSROOTS = "grassroots", _("街道与社区")
        THREE_PARTY = "three_party", _("三方主体")
        UTILITY = "utility", _("专业经营单位")
        SOCIAL = "social", _("社会组织")
        OTHER = "other", _("其他")

    code = models.SlugField(_("类型编码"), max_length=40, primary_key=True)
    name = models.CharField(_("类型名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    group = models.CharField(_("分组"), max_length=16, choices=Group.choices)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)
    # See org/data/unit_kinds.yaml for what each capability means.
    capabilities = models.JSONField(_("职能"), default=list, blank=True)
    intake_channels = models.JSONField(_("可登记渠道"), default=list, blank=True)

    class Meta:
        verbose_name = _("单位类型")
        verbose_name_plural = _("单位类型")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Unit(BaseModel):
    """A member unit (成员单位): any body with duties, in one jurisdiction."""

    code = models.SlugField(_("单位编码"), max_length=64, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.ForeignKey(
        UnitKind, verbose_name=_("单位类型"), on_delete=models.PROTECT, related_name="units"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("所属辖区"), on_delete=models.PROTECT, related_name="units"
    )
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("所属小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estate_units",
        help_text=_("业主委员会、环物委等只属于一个小区的单位"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("办公电话"), max_length=40, blank=True)
    hotline = models.CharField(_("服务热线"), max_length=40, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    duty_summary = models.TextField(_("职责摘要"), blank=True)
    source = models.CharField(_("出处"), max_length=120, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["jurisdiction__path", "kind__sort", "name"]
        indexes = [models.Index(fields=["jurisdiction", "kind"], name="unit_jur_kind_idx")]

    def __str__(self) -> str:
        return self.name


class Person(BaseModel):
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(BaseModel):
    """Someone holding a post in a unit for a period. A change of head or liaison ends
    the old post instead of overwriting it (000 三(二))."""

    class Role(models.TextChoices):
        HEAD = "head", _("主要负责人")
        DEPUTY = "deputy", _("分管负责人")
        LIAISON = "liaison", _("联络员")
        HANDLER = "handler", _("经办人")
        MEMBER = "member", _("成员")

    SINGLE_HOLDER = (Role.HEAD, Role.LIAISON)

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="posts"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="posts"
    )
    role = models.CharField(_("岗位"), max_length=16, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    start_date = models.DateField(_("任职日期"))
    end_date = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["unit", "role", "-start_date"]
        indexes = [models.Index(fields=["unit", "role", "end_date"], name="post_current_idx")]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()} {self.person}"


class Body(BaseModel):
    """A standing body: a leadership group (003 附件1), a joint conference (联席会议) at
    any level, a three-party meeting (002 (一)) or a 邻里圆桌会 (001 三(一))."""

    class Kind(models.TextChoices):
        LEADERSHIP_GROUP = "leadership_group", _("领导小组")
        JOINT_CONFERENCE = "joint_conference", _("联席会议")
        THREE_PARTY = "three_party", _("三方联席会议")
        ROUNDTABLE = "roundtable", _("邻里圆桌会")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("层级辖区"), on_delete=models.PROTECT, related_name="bodies"
    )
    office_unit = models.ForeignKey(
        Unit,
        verbose_name=_("办公室设在"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_bodies",
    )
    duties = models.TextField(_("主要职责"), blank=True)
    source = models.CharField(_("出处"), max_length=120, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("议事机构")
        verbose_name_plural = _("议事机构")
        ordering = ["jurisdiction__path", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class BodyMember(BaseModel):
    """Composition of a body over time; a change ends the old row (000 三(二))."""

    class Role(models.TextChoices):
        GENERAL_CONVENER = "general_convener", _("总召集人")
        CONVENER = "convener", _("召集人")
        LEADER = "leader", _("组长")
        DEPUTY_LEADER = "deputy_leader", _("副组长")
        MEMBER = "member", _("成员")
        OFFICE_DIRECTOR = "office_director", _("办公室主任")
        OFFICE_STAFF = "office_staff", _("办公室工作人员")
        LIAISON = "liaison", _("联络员")
        OBSERVER = "observer", _("列席")

    body = models.ForeignKey(
        Body, verbose_name=_("议事机构"), on_delete=models.CASCADE, related_name="members"
    )
    role = models.CharField(_("身份"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="body_seats",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="body_seats",
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("组成人员")
        verbose_name_plural = _("组成人员")
        ordering = ["body", "sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(person__isnull=False),
                name="bodymember_unit_or_person",
            )
        ]

    def __str__(self) -> str:
        who = self.person or self.unit
        return f"{self.body} {self.get_role_display()} {who}"


class RoleGrant(BaseModel):
    """What an account may do, and where. Office staff, conveners and auditors are scoped
    to a jurisdiction and everything below it; handlers, heads and three-party members to
    their unit."""

    class Role(models.TextChoices):
        PLATFORM_ADMIN = "platform_admin", _("平台管理员")
        OFFICE_STAFF = "office_staff", _("联席会议办公室")
        UNIT_HANDLER = "unit_handler", _("单位经办人")
        UNIT_HEAD = "unit_head", _("单位负责人")
        CONVENER = "convener", _("召集人")
        THREE_PARTY = "three_party", _("三方成员")
        RESIDENT = "resident", _("居民")
        AUDITOR = "auditor", _("审计（只读）")

    UNIT_ROLES = (Role.UNIT_HANDLER, Role.UNIT_HEAD, Role.THREE_PARTY)
    JURISDICTION_ROLES = (Role.OFFICE_STAFF, Role.CONVENER, Role.AUDITOR)

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("辖区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit", "jurisdiction"], name="rolegrant_unique"
            )
        ]

    def __str__(self) -> str:
        where = self.unit or self.jurisdiction or ""
        return f"{self.user} · {self.get_role_display()} {where}".strip()
