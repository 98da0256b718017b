"""Admin: the problems and early-intervention matters, read-only. Every change goes through
the services (pages, API), which check the rights and write the audit events."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.parties.admin import ReadOnly
from gongzhi.problems.models import Consultation, EarlyMatter, Problem


@admin.register(Problem)
class ProblemAdmin(ReadOnly):
    list_display = ("title", "estate", "tier", "state", "lead_party", "due_at")
    list_filter = ("tier", "state")


@admin.register(Consultation)
class ConsultationAdmin(ReadOnly):
    list_display = ("problem", "form", "held_on")
    list_filter = ("form",)


@admin.register(EarlyMatter)
class EarlyMatterAdmin(ReadOnly):
    list_display = ("title", "estate", "kind", "state")
    list_filter = ("kind", "state")
