"""Every write to jurisdictions, estates, units, people, posts, bodies and accounts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.notify.selectors import audience_changed
from gongzhi.org.models import (
    Body,
    BodyMember,
    Estate,
    Jurisdiction,
    Person,
    Post,
    RoleGrant,
    Unit,
    UnitKind,
    User,
)

# Which parent levels each level may hang under.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    Jurisdiction.Level.PROVINCE: {None},
    Jurisdiction.Level.CITY: {None, Jurisdiction.Level.PROVINCE},
    Jurisdiction.Level.COUNTY: {None, Jurisdiction.Level.PROVINCE, Jurisdiction.Level.CITY},
    Jurisdiction.Level.DISTRICT: {Jurisdiction.Level.CITY, Jurisdiction.Level.COUNTY},
    Jurisdiction.Level.STREET: {
        Jurisdiction.Level.CITY,
        Jurisdiction.Level.COUNTY,
        Jurisdiction.Level.DISTRICT,
    },
    Jurisdiction.Level.TOWN: {Jurisdiction.Level.COUNTY, Jurisdiction.Level.DISTRICT},
    Jurisdiction.Level.COMMUNITY: {Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN},
    Jurisdiction.Level.VILLAGE: {Jurisdiction.Level.TOWN, Jurisdiction.Level.STREET},
}


@transaction.atomic
def jurisdiction_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Jurisdiction | None = None,
    actor: User | None = None,
) -> Jurisdiction:
    errors: list[FieldError] = []
    if not code.strip():
        errors.append(FieldError("code", _("区划代码不能为空")))
    elif Jurisdiction.objects.filter(code=code).exists():
        errors.append(FieldError("code", _("区划代码 %(code)s 已存在") % {"code": code}))
    if not name.strip():
        errors.append(FieldError("name", _("名称不能为空")))
    if level not in Jurisdiction.Level.values:
        errors.append(FieldError("level", _("未知层级“%(level)s”") % {"level": level}))
    else:
        parent_level = parent.level if parent else None
        if parent_level not in ALLOWED_PARENTS[level]:
            label = Jurisdiction.Level(level).label
            errors.append(
                FieldError(
                    "parent",
                    _("%(label)s不能设在“%(value)s”之下")
                    % {"label": label, "value": parent or _("无上级")},
                )
            )
    if errors:
        raise InvalidInput(errors=errors)
    path = f"{parent.path if parent else '/'}{code}/"
    node = Jurisdiction.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=path,
        depth=(parent.depth + 1) if parent else 0,
    )
    audit_record(actor=actor, action="jurisdiction.create", target=node)
    return node


@transaction.atomic
def estate_create(
    *,
    code: str,
    name: str,
    community: Jurisdiction,
    address: str = "",
    buildings: int = 0,
    households: int = 0,
    property_company: Unit | None = None,
    owners_committee: Unit | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    actor: User | None = None,
) -> Estate:
    errors: list[FieldError] = []
    if Estate.objects.filter(code=code).exists():
        errors.append(FieldError("code", _("小区编码 %(code)s 已存在") % {"code": code}))
    if community.tier != 5:
        errors.append(FieldError("community", _("小区必须属于一个社区或村")))
    if property_company and property_company.kind_id != "property_company":
        errors.append(FieldError("property_company", _("所选单位不是物业服务企业")))
    if owners_committee and owners_committee.kind_id != "owners_committee":
        errors.append(FieldError("owners_committee", _("所选单位不是业主委员会")))
    if errors:
        raise InvalidInput(errors=errors)
    estate = Estate.objects.create(
        code=code,
        name=name,
        community=community,
        address=address,
        buildings=buildings,
        households=households,
        property_company=property_company,
        owners_committee=owners_committee,
        latitude=latitude,
        longitude=longitude,
    )
    audit_record(actor=actor, action="estate.create", target=estate)
    return estate


@transaction.atomic
def estate_set_parties(
    *,
    estate: Estate,
    property_company: Unit | None,
    owners_committee: Unit | None,
    actor: User | None = None,
    reason: str = "",
) -> Estate:
    """Change an estate's property company or owners' committee (a reportable event,
    002 (三)第四条)."""
    if property_company and property_company.kind_id != "property_company":
        raise InvalidInput(errors=[FieldError("property_company", _("所选单位不是物业服务企业"))])
    if owners_committee and owners_committee.kind_id != "owners_committee":
        raise InvalidInput(errors=[FieldError("owners_committee", _("所选单位不是业主委员会"))])
    before = {
        "property_company": estate.property_company_id,
        "owners_committee": estate.owners_committee_id,
    }
    estate.property_company = property_company
    estate.owners_committee = owners_committee
    estate.save(update_fields=["property_company", "owners_committee", "updated_at"])
    audit_record(
        actor=actor,
        action="estate.parties",
        target=estate,
        reason=reason,
        extra={
            "before": before,
            "after": {
                "property_company": estate.property_company_id,
                "owners_committee": estate.owners_committee_id,
            },
        },
    )
    return estate


@transaction.atomic
def estate_set_custodian_company(*, estate: Estate, company: Unit | None) -> Estate:
    """Record (or clear) the appointed company holding ``estate`` in temporary custody
    (001 四(二)), which routing then names for property-company matters. Only parties'
    custody services call this, inside their own transaction and audit event."""
    if company is not None and company.kind_id != "property_company":
        raise InvalidInput(errors=[FieldError("custodian_id", _("所选单位不是物业服务企业"))])
    Estate.objects.select_for_update().filter(pk=estate.pk).values_list("pk").first()
    estate.custodian_company = company
    estate.save(update_fields=["custodian_company", "updated_at"])
    return estate


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    jurisdiction: Jurisdiction,
    estate: Estate | None = None,
    parent: Unit | None = None,
    phone: str = "",
    hotline: str = "",
    address: str = "",
    duty_summary: str = "",
    source: str = "",
    short_name: str = "",
    actor: User | None = None,
) -> Unit:
    errors: list[FieldError] = []
    if not UnitKind.objects.filter(code=kind).exists():
        errors.append(FieldError("kind", _("未知单位类型“%(kind)s”") % {"kind": kind}))
    if Unit.objects.filter(code=code).exists():
        errors.append(FieldError("code", _("单位编码 %(code)s 已存在") % {"code": code}))
    if not name.strip():
        errors.append(FieldError("name", _("单位名称不能为空")))
    if errors:
        raise InvalidInput(errors=errors)
    unit = Unit.objects.create(
        code=code,
        name=name,
        short_name=short_name,
        kind_id=kind,
        jurisdiction=jurisdiction,
        estate=estate,
        parent=parent,
        phone=phone,
        hotline=hotline,
        address=address,
        duty_summary=duty_summary,
        source=source,
    )
    audit_record(actor=actor, action="unit.create", target=unit)
    return unit


@transaction.atomic
def person_create(*, name: str, phone: str = "", user: User | None = None) -> Person:
    if not name.strip():
        raise InvalidInput(errors=[FieldError("name", _("姓名不能为空"))])
    return Person.objects.create(name=name, phone=phone, user=user)


@transaction.atomic
def post_assign(
    *,
    unit: Unit,
    person: Person,
    role: str,
    start_date: dt.date,
    title: str = "",
    actor: User | None = None,
    reason: str = "",
) -> Post:
    """Put someone in a post. For the head and the liaison the current holder's post is
    ended the day before, so the history shows who held it when."""
    if role not in Post.Role.values:
        raise InvalidInput(errors=[FieldError("role", _("未知岗位“%(role)s”") % {"role": role})])
    if role in Post.SINGLE_HOLDER:
        current = (
            Post.objects.select_for_update()
            .filter(unit=unit, role=role, end_date__isnull=True)
            .exclude(person=person)
        )
        for old in current:
            if old.start_date >= start_date:
                raise DomainError(
                    _("新任职日期必须晚于现任 %(person)s 的任职日期 %(start_date)s")
                    % {"person": old.person, "start_date": old.start_date}
                )
            old.end_date = start_date - dt.timedelta(days=1)
            old.save(update_fields=["end_date", "updated_at"])
            audit_record(
                actor=actor,
                action="post.end",
                target=old,
                unit=unit,
                reason=reason or _("岗位调整"),
            )
    post = Post.objects.create(
        unit=unit, person=person, role=role, title=title, start_date=start_date
    )
    audit_record(actor=actor, action="post.assign", target=post, unit=unit, reason=reason)
    return post


@transaction.atomic
def body_create(
    *,
    name: str,
    kind: str,
    jurisdiction: Jurisdiction,
    office_unit: Unit | None = None,
    duties: str = "",
    source: str = "",
    actor: User | None = None,
) -> Body:
    if kind not in Body.Kind.values:
        raise InvalidInput(
            errors=[FieldError("kind", _("未知机构类别“%(kind)s”") % {"kind": kind})]
        )
    body = Body.objects.create(
        name=name,
        kind=kind,
        jurisdiction=jurisdiction,
        office_unit=office_unit,
        duties=duties,
        source=source,
    )
    audit_record(actor=actor, action="body.create", target=body)
    return body


@transaction.atomic
def body_member_assign(
    *,
    body: Body,
    role: str,
    start_date: dt.date,
    unit: Unit | None = None,
    person: Person | None = None,
    title: str = "",
    sort: int = 100,
    replaces: BodyMember | None = None,
    actor: User | None = None,
    reason: str = "",
) -> BodyMember:
    """Seat someone in a body. ``replaces`` ends the seat they take over, keeping it in
    the history (000 三(二): changes are proposed by the unit, confirmed by the body)."""
    if role not in BodyMember.Role.values:
        raise InvalidInput(errors=[FieldError("role", _("未知身份“%(role)s”") % {"role": role})])
    if unit is None and person is None:
        raise InvalidInput(errors=[FieldError("person", _("必须指定单位或人员"))])
    if replaces is not None:
        if replaces.body_id != body.pk:
            raise DomainError(_("被替换的成员不属于该议事机构"))
        if replaces.end_date is not None:
            raise DomainError(_("被替换的成员已经离任"))
        replaces.end_date = start_date - dt.timedelta(days=1)
        replaces.save(update_fields=["end_date", "updated_at"])
        audit_record(actor=actor, action="body.member.end", target=replaces, reason=reason)
    seat = BodyMember.objects.create(
        body=body,
        role=role,
        unit=unit,
        person=person,
        title=title,
        start_date=start_date,
        sort=sort,
    )
    audit_record(actor=actor, action="body.member.assign", target=seat, reason=reason)
    return seat


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: User | None = None,
    password_hash: str = "",
) -> User:
    """Create an account. ``password_hash`` (from make_password) lets a bulk loader such
    as the demo hash one shared password once instead of once per account."""
    if User.objects.filter(username=username).exists():
        raise InvalidInput(
            errors=[FieldError("username", _("账号 %(username)s 已存在") % {"username": username})]
        )
    user = User.objects.create_user(
        username=username,
        password=None if password_hash else password,
        display_name=display_name,
        phone=phone,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.create", target=user)
    return user


# Relations to an account that are not its history: credentials, revoked on deactivation
# and deleted with the account.
NOT_HISTORY = frozenset({"common.apitoken"})


def user_history(user: User) -> list[str]:
    """What the account appears in as a person who acted, reported, held a role or a post:
    the names of the kinds of record (audit events, case events, cases reported, role
    grants …), empty when it has none. Every relation to the account counts, so a model
    added later counts without a change here."""
    found: list[str] = []
    for rel in User._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete):
            continue
        if not (rel.one_to_many or rel.one_to_one or rel.many_to_many):
            continue
        model = rel.related_model
        if model is None or isinstance(model, str) or model._meta.label_lower in NOT_HISTORY:
            continue
        field_name = rel.field.name  # type: ignore[union-attr]
        if model._base_manager.filter(**{field_name: user}).exists():
            label = str(model._meta.verbose_name_plural)
            if label not in found:
                found.append(label)
    return found


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None, reason: str) -> User:
    """Stop an account without touching its history: it can no longer log in (its
    sessions stop working at their next request), its API tokens are revoked, and every
    event, case and record keeps showing who it was."""
    from gongzhi.common.apiauth import api_token_revoke
    from gongzhi.common.models import ApiToken

    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("请填写停用原因"))])
    if actor is not None and actor.pk == user.pk:
        raise DomainError(_("不能停用自己的账号"))
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    audience_changed()  # no signal for .update(): the outbox's memo (notify.selectors)
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        api_token_revoke(token=token, actor=actor)
    user.is_active = False
    if changed or tokens:
        audit_record(
            actor=actor,
            action="user.deactivate",
            target=user,
            from_state="active" if changed else "inactive",
            to_state="inactive",
            reason=reason.strip(),
            extra={"tokens_revoked": len(tokens)},
        )
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User | None, reason: str) -> User:
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("请填写启用原因"))])
    if User.objects.filter(pk=user.pk, is_active=False).update(is_active=True):
        audience_changed()  # no signal for .update(): the outbox's memo (notify.selectors)
        audit_record(
            actor=actor,
            action="user.reactivate",
            target=user,
            from_state="inactive",
            to_state="active",
            reason=reason.strip(),
        )
    user.is_active = True
    return user


@transaction.atomic
def user_delete(*, user: User, actor: User | None) -> None:
    """Delete an account that has no history (a mistaken or unused one); one with history
    is refused: deactivate it instead, so that no event loses who acted."""
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        return
    history = user_history(locked)
    if history:
        raise Conflict(
            _(
                "账号“%(user)s”已有历史记录（%(history)s），不能删除：删除会让这些记录失去"
                "操作人。请改用“停用”，停用后不能登录，记录中仍显示其姓名。"
            )
            % {"user": locked, "history": "、".join(history)}
        )
    audit_record(
        actor=actor,
        action="user.delete",
        target=locked,
        extra={"username": locked.username, "display_name": locked.display_name},
    )
    locked.delete()


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    unit: Unit | None = None,
    jurisdiction: Jurisdiction | None = None,
    actor: User | None = None,
) -> RoleGrant:
    errors: list[FieldError] = []
    if role not in RoleGrant.Role.values:
        errors.append(FieldError("role", _("未知角色“%(role)s”") % {"role": role}))
    if role in RoleGrant.UNIT_ROLES and unit is None:
        errors.append(FieldError("unit", _("该角色必须指定单位")))
    if role in RoleGrant.JURISDICTION_ROLES and jurisdiction is None:
        errors.append(FieldError("jurisdiction", _("该角色必须指定辖区")))
    if errors:
        raise InvalidInput(errors=errors)
    grant, _created = RoleGrant.objects.get_or_create(
        user=user, role=role, unit=unit, jurisdiction=jurisdiction
    )
    audit_record(actor=actor, action="role.grant", target=grant, unit=unit)
    return grant


def unit_kinds_load() -> int:
    """(Re)load the unit kinds of org/data/unit_kinds.yaml; the data migration does the
    same with the historical model. Used after a test database is flushed."""
    from pathlib import Path

    import yaml

    data = Path(__file__).resolve().parent / "data" / "unit_kinds.yaml"
    rows = yaml.safe_load(data.read_text(encoding="utf-8"))
    for sort, row in enumerate(rows):
        UnitKind.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "group": row["group"],
                "sort": sort * 10,
                "capabilities": row.get("capabilities", []),
                "intake_channels": row.get("intake_channels", []),
            },
        )
    return len(rows)
