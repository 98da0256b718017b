from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.i18n import JavaScriptCatalog

from gongzhi.config.api import api
from gongzhi.org.urls import auth_urlpatterns

# A database that cannot be reached answers 503 with Retry-After, not 500.
handler500 = "gongzhi.common.unavailable.server_error"

admin.site.site_header = gettext_lazy("共治 Gongzhi 管理后台")
admin.site.site_title = gettext_lazy("共治 Gongzhi")
admin.site.index_title = gettext_lazy("数据管理")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    *auth_urlpatterns,
    path("", include("gongzhi.org.urls")),
    path("", include("gongzhi.board.urls")),
    path("", include("gongzhi.site.urls")),
    path("catalog/", include("gongzhi.catalog.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("meetings/", include("gongzhi.meetings.urls")),
    path("stats/", include("gongzhi.stats.urls")),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("appraisal/", include("gongzhi.appraisal.urls")),
    path("parties/", include("gongzhi.parties.urls")),
    path("problems/", include("gongzhi.problems.urls")),
    path("campaigns/", include("gongzhi.campaigns.urls")),
    path("notify/", include("gongzhi.notify.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
