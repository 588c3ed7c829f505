"""Words for this area's error codes (English msgids; zh-TW in translations/pending)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

MESSAGES.update(
    {
        "analysis_forbidden": _l(
            "Only staff of this consultation's agency, reviewers and admins can see its analysis."
        ),
        "analysis_read_only": _l("You can read this analysis but not change it."),
        "analysis_run_not_found": _l("That analysis run does not exist."),
        "no_analysis": _l("This consultation has no finished analysis yet. Run one first."),
        "theme_not_found": _l("There is no theme %(key)s in the latest analysis."),
        "theme_label_required": _l("Please give the theme a name."),
        "theme_label_too_long": _l("A theme name can be at most %(max)s characters."),
        "too_many_selected": _l("At most %(max)s comments can be selected at once."),
        "merge_into_itself": _l("A theme cannot be merged into itself. Choose another theme."),
        "split_empty": _l("Select at least one comment to split off into a new theme."),
        "split_everything": _l(
            "Splitting off every comment would leave %(key)s empty; rename the theme instead."
        ),
        "move_empty": _l("Select at least one comment to move."),
        "move_to_same_theme": _l("The comments are already in %(key)s. Choose another theme."),
        "comment_not_in_theme": _l("Comment #%(id)s is not in theme %(key)s."),
        "theme_key_taken": _l("The theme key %(key)s is already used. Reload and try again."),
        "too_many_pins": _l("A theme can have at most %(max)s pinned quotes."),
        "invalid_theme_action": _l("Unknown theme edit."),
        # theme settings
        "theme_count_range": _l(
            "The number of themes must be a whole number from %(min)s to %(max)s, or empty for "
            "automatic."
        ),
        "seed_line_invalid": _l(
            "Seed themes, line %(line)s: write the theme name, a colon, then its keywords "
            "separated by commas (for example 充電站：充電樁、快充)."
        ),
        "seed_name_required": _l("Seed themes, line %(line)s: the theme has no name."),
        "seed_name_too_long": _l(
            "The seed theme name “%(name)s…” is too long: at most %(max)s characters."
        ),
        "seed_name_duplicate": _l("Two seed themes are called “%(name)s”. Give each its own name."),
        "seed_keywords_required": _l("The seed theme “%(name)s” needs at least one keyword."),
        "seed_keyword_too_long": _l(
            "A keyword of the seed theme “%(name)s” is too long: at most %(max)s characters."
        ),
        "too_many_keywords": _l("The seed theme “%(name)s” has more than %(max)s keywords."),
        "too_many_seeds": _l("At most %(max)s seed themes can be given."),
        # why a run failed (the run's error starts with one of these codes)
        "run_too_few_comments": _l(
            "Too few comments to analyse: %(n)s visible, at least %(min)s needed."
        ),
        "run_no_themes": _l("No themes could be found in these comments."),
        "run_abandoned": _l("The run did not finish in time and was given up. Start a new one."),
        "run_internal": _l("The analysis stopped because of an error on our side. Try again."),
    }
)
