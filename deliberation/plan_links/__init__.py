"""Linking another agency's consultation to a plan: a request that agency's staff accept or
decline (issue 17). A plan's lead agency links its own consultations directly, admins link any;
a consultation of another agency joins the plan only once its agency agrees, because a link lets
the plan's agencies read the consultation's themes and draft responses."""

from . import models as models  # the table is part of the metadata wherever plans are
