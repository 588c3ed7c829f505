"""Open data (issue 19): every closed or concluded consultation as a documented, pseudonymised
dataset (Polis open-data files and ours, a Frictionless Data Package with a zh-TW/English data
dictionary, the licence, platform metadata and DCAT JSON-LD) with a quality score.

`rules` (pure: who has a dataset, pseudonyms, small cells), `schema` (files, fields,
dictionary, licence), `queries` (reads, and the public-text rule), `quality` (named checks),
`build` (the streamed ZIP), `lanes` (one snapshot read on several connections), `store` (built
datasets on disk, rebuilt when the data change), `refresh` (the rebuild a change to a closed
consultation declares). Every CSV goes through the project's one writer,
`deliberation/exports.write_csv`, row by row.
"""
