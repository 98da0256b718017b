"""Demo part: learning from the desk (issue 13). After the cases part: one catalog change
proposal waiting for 嘉祥县's office on /catalog/<county>/proposals/ (a phrasing residents
use for the property-fee disclosure duty). The returned case 物业费收费项目没有公示 still
waits for the office's ruling, where a newcomer can propose a change from the form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gongzhi.catalog.proposals import catalog_proposal_create

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext


def build(ctx: DemoContext) -> None:
    office = ctx.users.get("office")
    catalog_proposal_create(
        place=ctx.estates["JX-E002"].community,
        kind="phrasing",
        matter_code="JX-06-01",
        words=["物业费涨了也不贴出来", "收费明细一直不公开"],  # i18n: data (demo phrasings)
        note="居民常这样说物业费不公示，清单里还没有这种说法",  # i18n: data (demo note)
        actor=office,
    )
