"""Trust in accounts (issue 13, issue 17 item 10): the official badge, reserved display names,
two-factor sign-in, server-side sessions, and the append-only account audit log.

models.py (tables), rules.py (pure: who is official, who needs 2FA, name normalisation),
audit.py (the log), sessions.py, two_factor.py, names.py and admin.py (operations: flush only).
"""
