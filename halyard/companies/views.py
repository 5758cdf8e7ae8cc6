from django.utils.translation import gettext_lazy as _

from halyard.activities.panel import timeline_context
from halyard.companies import services
from halyard.companies.forms import CompanyForm
from halyard.companies.models import Company
from halyard.core.columns import Column
from halyard.core.recordviews import RecordViews

companies = RecordViews(
    model=Company,
    form_class=CompanyForm,
    name="companies",
    search_fields=["name", "domain", "city"],
    list_related=(),
    create=services.company_create,
    update=services.company_update,
    trash=services.company_trash,
    restore=services.company_restore,
    arg="company",
    detail_hook=lambda request, record: timeline_context(request, record, "company"),
    columns=[
        Column("name", _("Name"), "name", kind="link", filter="text"),
        Column("domain", _("Domain"), "domain", kind="email", filter="text"),
        Column("industry", _("Industry"), "industry", filter="text"),
        Column("phone", _("Phone"), "phone", kind="phone", filter="text", default=False),
        Column("website", _("Website"), "website", kind="email", filter="text", default=False),
        Column("city", _("City"), "city", filter="text"),
        Column("country", _("Country"), "country", filter="text", default=False),
    ],
)
