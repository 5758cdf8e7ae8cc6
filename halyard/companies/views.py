from halyard.activities.panel import timeline_context
from halyard.companies import services
from halyard.companies.forms import CompanyForm
from halyard.companies.models import Company
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
)
