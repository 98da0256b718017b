from gongzhi.stats.views.dashboards import dashboard, street_dashboard, unit_dashboard
from gongzhi.stats.views.imports import import_page, import_template
from gongzhi.stats.views.jobs import (
    export_page,
    job_cancel_view,
    job_download,
    job_page,
    job_progress,
    jobs_page,
)

__all__ = [
    "dashboard",
    "export_page",
    "import_page",
    "import_template",
    "job_cancel_view",
    "job_download",
    "job_page",
    "job_progress",
    "jobs_page",
    "street_dashboard",
    "unit_dashboard",
]
