from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

STATUS_CHOICES = [
    SelectChoice("draft", _l("Draft")),
    SelectChoice("open", _l("Open for comments")),
    SelectChoice("closed", _l("Closed")),
    SelectChoice("concluded", _l("Concluded")),
]


class SectionForm(Form):
    id = HiddenField()
    title = StringField(_l("Section title"))
    body = TextAreaField(_l("Section text"))


class ConsultationForm(FlaskForm):
    # Required-ness and lengths are the domain's rules; the form only carries the values.
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary"))
    body = TextAreaField(_l("Full text (introduction)"))
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="draft")
    opens_at = DateTimeLocalField(
        _l("Opens at (Taiwan time)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    closes_at = DateTimeLocalField(
        _l("Closes at (Taiwan time)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    tags = StringField(_l("Topic tags"))  # comma-separated; checked by deliberation/search/listing
    sections = FieldList(FormField(SectionForm), min_entries=1, max_entries=200)
