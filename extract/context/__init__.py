"""What surrounds the numbers: the heading tree (``sections``), who issued a document and where it
applies (``metadata``, with ``issuers`` for issuing bodies and ``gazetteer`` for places), and what
a year means in a sentence (``years``)."""
