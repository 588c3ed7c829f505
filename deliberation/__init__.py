"""The deliberation domain: consultations, threads, comments, votes, moderation and plans."""
