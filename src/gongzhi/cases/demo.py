"""Demo part for cases: a few weeks of the 嘉祥 ledger, one case in every interesting
state, all made through the services with times before the demo's "now", then one sweep
so that the overdue case is escalated with a delay record. ``on_serve`` starts the
in-process sweep that runs every minute while the demo serves."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from typing import TYPE_CHECKING

from gongzhi.cases import services as s

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

log = logging.getLogger(__name__)


def _photo(label: str) -> s.Upload:
    """A small real JPEG (a grey scene with a caption bar) for the enforcement photos."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 320), (150, 160, 150))
    draw = ImageDraw.Draw(img)
    draw.rectangle((140, 80, 340, 240), fill=(120, 90, 70))
    draw.rectangle((0, 280, 480, 320), fill=(40, 40, 40))
    draw.text((10, 290), label, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    return s.Upload(name=f"{label}.jpg", content=buf.getvalue())


def build(ctx: DemoContext) -> None:
    now = ctx.now
    users = ctx.users
    if "office" not in users:
        return

    def at(days: float, hours: float = 0) -> dt.datetime:
        return now - dt.timedelta(days=days, hours=hours)

    office, wuye, zfj, zjj, scj, jiedao, resident = (
        users[k] for k in ("office", "wuye", "zfj", "zjj", "scj", "jiedao", "resident")
    )
    dispatcher = users.get("dispatcher")

    # 1. Closed with a satisfied rating: cleaning at 曾子花园, through the 12345 hotline.
    c = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="3号楼楼道长期无人打扫",
        description="3号楼2单元楼道垃圾堆积一周无人清理，气味很大。",
        matter_code="JX-15-a",
        reporter_name="王秀英",
        reporter_phone="13905371234",
        building="3",
        unit_no="2",
        actor=dispatcher,
        external_ref="12345-20261015-0031",
        now=at(18),
    )
    s.case_accept(case=c, actor=wuye, now=at(18) + dt.timedelta(minutes=40))
    s.case_start(case=c, actor=wuye, reason="保洁主管到场查看", now=at(18) + dt.timedelta(hours=1))
    s.case_handle(case=c, actor=wuye, result="已清运垃圾并加密保洁频次至每日两次", now=at(17))
    s.case_feedback(case=c, actor=office, now=at(16, 20))
    s.case_rate(case=c, actor=office, rating="satisfied", now=at(16))

    # 2. Just dispatched to the property company, waiting to be accepted; a neighbour
    # called about it too, and the dispatcher attached the call instead of a duplicate.
    c = s.case_register(
        channel="12345",
        estate="JX-E004",
        title="小区绿化带杂草丛生",
        description="卧龙山庄东门绿化带杂草半人高，蚊虫很多。",
        matter_code="JX-15-b",
        reporter_name="刘强",
        reporter_phone="13605378888",
        actor=dispatcher,
        now=at(0, 2),
    )
    if dispatcher is not None:
        s.case_call_attach(
            case=c,
            actor=dispatcher,
            channel="12345",
            caller_name="孙桂兰",
            caller_phone="13805376677",
            note="东门绿化带杂草太高，晚上蚊子多",
            now=at(0, 1),
        )

    # 3. Illegal construction: the enforcement bureau leads, the housing bureau assists.
    c = s.case_register(
        channel="visit",
        estate="JX-E001",
        title="顶楼住户在楼顶私搭阳光房",
        description="12号楼顶层住户在屋顶平台搭建阳光房，已施工三天。",
        matter_code="JX-04-a",
        reporter_name="赵国华",
        reporter_phone="13805370001",
        building="12",
        actor=office,
        now=at(3),
    )
    s.case_accept(case=c, actor=zfj, now=at(3) + dt.timedelta(hours=2))
    s.case_start(
        case=c, actor=zfj, reason="执法队员到场，责令停工", now=at(3) + dt.timedelta(hours=4)
    )
    s.case_joint_request(
        case=c,
        actor=zfj,
        units=[ctx.units["housing_bureau"]],
        instructions="请住建局对屋顶承重及结构安全出具意见（联合执法，003 三(四)）",
        now=at(2),
    )

    # 4. A resident's web report with no matter type: on the office's dispatch desk.
    s.case_register(
        channel="web",
        estate="JX-E002",
        title="晚上广场舞音响声音太大",
        description="每天晚上八点到十点小区广场舞音响很响，老人孩子无法休息。",
        reporter_name="李建国",
        reporter_phone="13705370002",
        reporter_user=resident,
        actor=resident,
        now=at(0, 5),
    )

    # 5. Returned by the market regulator, waiting for the office's ruling.
    c = s.case_register(
        channel="12345",
        estate="JX-E002",
        title="物业费收费项目没有公示",
        description="物业公司今年上调物业费，收费项目和标准没有在小区公示。",
        matter_code="JX-06-01",
        reporter_name="孙丽",
        reporter_phone="13905375555",
        actor=dispatcher,
        now=at(2),
    )
    s.case_return(
        case=c,
        actor=scj,
        reason="物业费标准属价格主管部门职责",
        claimed_matter_code="JX-07-a",
        now=at(1, 20),
    )

    # 6. Overdue: the housing bureau never accepted it; the sweep below escalates it.
    s.case_register(
        channel="mayor",
        estate="JX-E004",
        title="住户装修拆除承重墙",
        description="8号楼501室装修时拆除承重墙，楼下住户墙面出现裂缝。",
        matter_code="JX-03-01",
        reporter_name="周建",
        reporter_phone="13805379999",
        building="8",
        room="501",
        actor=dispatcher,
        now=at(9),
    )

    # 6b. Overdue at the community level: the property company let the acceptance limit
    # pass; the sweep escalates it to the street's joint-conference office.
    s.case_register(
        channel="12345",
        estate="JX-E001",
        title="地下车库照明大面积损坏",
        description="地下车库一半照明灯不亮，晚上停车很危险。",
        matter_code="JX-15-c",
        reporter_name="吴敏",
        reporter_phone="13605373434",
        actor=dispatcher,
        now=at(2),
    )

    # 7. The six-step procedure: the street office finds illegal building on patrol,
    # photographs and stops it, and reports it to the enforcement bureau with the form.
    street = ctx.units["street:嘉祥街道"]
    c = s.case_register(
        channel="patrol",
        estate="JX-E003",
        title="老粮局宿舍院内私建彩钢棚",
        description="巡查发现院内东侧有住户搭建彩钢板棚用于堆放杂物。",
        reporting_unit=street,
        is_enforcement=True,
        location="院内东侧自行车棚旁",
        actor=jiedao,
        now=at(1, 6),
    )
    s.case_enforcement_photo(case=c, actor=jiedao, photos=[_photo("JX-E003 east")], now=at(1, 5))
    s.case_enforcement_stop(
        case=c, actor=jiedao, measures="现场告知住户停止搭建，发放责令整改通知", now=at(1, 5)
    )
    s.case_enforcement_report(
        case=c,
        actor=jiedao,
        receiving_unit=ctx.units["urban_enforcement"],
        contact="陈晨",
        contact_phone="13805371001",
        details="老粮局宿舍院内东侧住户私建彩钢板棚约 15 平方米，已现场制止，住户拒不拆除。",
        opinion="请县综合行政执法局依法查处",
        head="李国斌",
        now=at(1, 4),
    )
    s.case_accept(case=c, actor=zfj, now=at(1, 3))
    s.case_report_opinion(
        case=c, actor=zfj, opinion="同意受理，依法立案查处", head="李西渠", now=at(1, 3)
    )

    # 8. The street whistles: a water leak at an estate with no property company.
    c = s.case_register(
        channel="12345",
        estate="JX-E003",
        title="院内供水管道破裂漏水",
        description="院内主供水管破裂，地面积水，多户停水。",
        matter_code="JX-14-b",
        reporter_name="钱芳",
        reporter_phone="13605371212",
        actor=dispatcher,
        urgency="urgent",
        now=at(0, 0.75),
    )
    summoned = s.case_whistle(
        case=c,
        actor=jiedao,
        street_unit=street,
        units=[ctx.units["housing_bureau"], ctx.units["urban_enforcement"]],
        instructions="无物业小区供水管破裂，请各部门到场会商处置（街道吹哨、部门报到）",
        now=at(0, 0.5),
    )
    # The housing bureau has reported for duty; the enforcement bureau not yet.
    s.case_task_checkin(case=c, task=summoned[0], actor=zjj, reason="已派员到场", now=at(0, 0.25))

    # 9. The resident's own case, handled and waiting for the rating.
    c = s.case_register(
        channel="web",
        estate="JX-E001",
        title="单元门禁损坏无法关闭",
        description="5号楼1单元门禁坏了一周，陌生人随意进出。",
        matter_code="JX-15-c",
        reporter_name="李建国",
        reporter_phone="13705370002",
        reporter_user=resident,
        building="5",
        unit_no="1",
        actor=resident,
        now=at(4),
    )
    s.case_accept(case=c, actor=wuye, now=at(4) + dt.timedelta(hours=1))
    s.case_handle(case=c, actor=wuye, result="已更换门禁控制器和电磁锁", now=at(2))
    s.case_feedback(case=c, actor=office, now=at(1))

    s.case_sweep(now=now)


def _sweep_forever(interval: float = 60.0) -> None:
    import time

    from django.db import close_old_connections

    while True:
        time.sleep(interval)
        try:
            close_old_connections()
            result = s.case_sweep()
            log.info("sweep: %s", result)
        except Exception:  # keep the demo's sweep alive; the next run tries again
            log.exception("sweep failed")


def on_serve() -> None:
    """Run the deadline sweep in-process every minute while the demo serves."""
    threading.Thread(target=_sweep_forever, name="gongzhi-sweep", daemon=True).start()
