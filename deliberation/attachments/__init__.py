"""Files attached to a consultation by its agency's staff (the draft's PDF, 條文對照表, …).

- ``models``      Attachment (metadata; the bytes are stored by the web side under instance/)
- ``rules``       pure: which types, recognised by their content signature, and the size limit
- ``operations``  add (check, scan, store, record) and remove; flush, never commit
- ``queries``     a consultation's attachments, one attachment for download

Kept import-free: ``deliberation.models`` imports ``attachments.models``.
"""
