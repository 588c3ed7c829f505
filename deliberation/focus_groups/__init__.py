"""Focus groups (政策提案座談會): a consented pool, quotas, and a fair, auditable lottery (issue 18)."""
