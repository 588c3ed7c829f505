from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class RegisterForm(FlaskForm):
    # Formats and lengths are the domain's rules (deliberation.services.accounts), worded there.
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    display_name = StringField(_l("Display name"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    # 個人資料蒐集告知 (PDPA art. 8): checked by the domain (consent_required), worded there.
    consent = BooleanField(
        _l("I have read the notice on the collection of personal data and agree")
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in"))
