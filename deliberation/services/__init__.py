"""Use cases: f(session, ..., *, actor) -> result. Services flush, never commit."""
