from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password, again"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password, again"), validators=[DataRequired()])


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New e-mail address"), validators=[DataRequired(), Length(max=254)])
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class DeleteForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    withdraw = BooleanField(_l("Also withdraw my comments (their text is removed)"))
    confirm = BooleanField(_l("I understand that this cannot be undone"))


class PolicyForm(FlaskForm):
    body_zh = TextAreaField(_l("Text (zh-TW, binding)"), validators=[DataRequired()])
    body_en = TextAreaField(_l("Text (English)"))
