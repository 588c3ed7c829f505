from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import Optional


class CommentForm(FlaskForm):
    # Length and emptiness are the domain's rules, so they are checked (and worded) there.
    body = TextAreaField(_l("Your comment"))
    parent_id = IntegerField(validators=[Optional()])


class EditForm(FlaskForm):
    body = TextAreaField(_l("Edit your comment"))
    version = HiddenField()


class VoteForm(FlaskForm):
    value = HiddenField()
