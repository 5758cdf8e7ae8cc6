from halyard.activities.panel import timeline_context
from halyard.contacts import services
from halyard.contacts.forms import ContactForm
from halyard.contacts.models import Contact
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
)
