"""Search over consultations, sections and visible comments, in Chinese, on the stored jieba
tokens (space-joined, written with each text).

- ``index``    the full-text indexes, created with the schema: on PostgreSQL a GIN index on
               ``to_tsvector('simple', tokens)`` per table; on SQLite one FTS5 table kept in
               step by triggers
- ``rules``    pure: the query's terms, its limits, highlighting
- ``queries``  `search`: one function for both databases; ranked, paginated; hidden and
               pending text and drafts are never found

Kept import-free: ``deliberation.models`` imports ``search.index``.
"""
