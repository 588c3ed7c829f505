"""Accounts beyond sign-up: verified e-mail, recovery, password rules, privacy texts and consent,
data download and account deletion (issue 13). Registration and log-in stay in
services/accounts.py; the web skin is app/accounts."""
