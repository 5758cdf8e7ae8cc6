from django.utils.translation import gettext_lazy as _

from halyard.activities.panel import timeline_context
from halyard.contacts import services
from halyard.contacts.forms import ContactForm
from halyard.contacts.models import Contact
from halyard.core.columns import Column
from halyard.core.recordviews import RecordViews

contacts = RecordViews(
    model=Contact,
    form_class=ContactForm,
    name="contacts",
    search_fields=["first_name", "last_name", "email", "phone"],
    list_related=("company",),
    create=services.contact_create,
    update=services.contact_update,
    trash=services.contact_trash,
    restore=services.contact_restore,
    arg="contact",
    detail_hook=lambda request, record: timeline_context(request, record, "contact"),
    columns=[
        Column("name", _("Name"), "last_name", kind="link", attr="full_name", filter="text"),
        Column("first_name", _("First name"), "first_name", filter="text", default=False),
        Column("email", _("Email"), "email", kind="email", filter="text"),
        Column("phone", _("Phone"), "phone", kind="phone", filter="text"),
        Column("title", _("Job title"), "title", filter="text", default=False),
        Column("company", _("Company"), "company__name", filter="text"),
    ],
)
