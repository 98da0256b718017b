"""Every write of the parties app, one module per sub-area."""

from gongzhi.parties.services.circulars import circular_read, circular_send
from gongzhi.parties.services.custody import custody_end, custody_hand_over, custody_start
from gongzhi.parties.services.notices import notice_publish, notice_replace, notice_withdraw
from gongzhi.parties.services.outages import (
    outage_close,
    outage_link,
    outage_open,
    outage_post,
    outage_task_done,
    outage_unlink,
)
from gongzhi.parties.services.reports import report_acknowledge, report_answer, report_file
from gongzhi.parties.services.utility import utility_work_announce

__all__ = [
    "circular_read",
    "circular_send",
    "custody_end",
    "custody_hand_over",
    "custody_start",
    "notice_publish",
    "notice_replace",
    "notice_withdraw",
    "outage_close",
    "outage_link",
    "outage_open",
    "outage_post",
    "outage_task_done",
    "outage_unlink",
    "report_acknowledge",
    "report_answer",
    "report_file",
    "utility_work_announce",
]
