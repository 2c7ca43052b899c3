"""The layout zoo: indicator tables and 专栏 boxes drawn as PDFs, with the rows each must give.

- ``layouts.yaml``: the layouts, their variants, expected rows and today's known failures;
- ``draw.py``: draws a layout variant with reportlab (embedded, non-embedded or outlined text);
- ``catalog.py``: loads the yaml, builds a variant's PDF, runs the extractor, compares rows;
- ``show.py``: ``python -m tests.zoo.show LAYOUT/VARIANT`` prints extracted beside expected rows;
- ``make_font.py`` and ``fonts/``: the font subsets the PDFs embed, and how to remake them.

``tests/test_layout_zoo.py`` runs every variant.  See ``README.md`` beside this file.
"""
