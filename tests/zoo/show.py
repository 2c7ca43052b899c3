"""Draw one zoo layout variant, run the extractor on it and print its rows beside the expected ones.

    .venv/bin/python -m tests.zoo.show ruled-basic/nonembedded [-o DIR] [--text]
    .venv/bin/python -m tests.zoo.show --list

Writes the PDF to DIR (default ``$TMPDIR/plan-extract-zoo``, printed), then one line per expected row: ``ok``,
``wrong FIELD``, or ``MISSING``, with the row the extractor gave; then every ``EXTRA`` row.  A layout
without a variant name shows all its variants.  ``--text`` also prints the page text as pdfium reads it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from . import catalog


def _row(r: dict) -> str:
    extra = [
        f"{k}={r.get(k)}"
        for k in ("binding", "baseline_value", "change", "cumulative", "strive", "class", "source", "page")
        if r.get(k) not in (None, "", False)
    ]
    return f"{catalog.describe(r)}  [{' '.join(extra)}]"


def show(variant_id: str, out: Path, text: bool = False) -> bool:
    pdf = catalog.build(variant_id, out)
    reason = catalog.known_fail(variant_id)
    print(f"== {variant_id}  ({pdf})" + (f"\n   known_fail: {reason}" if reason else ""))
    if text:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(pdf))
        for i in range(len(doc)):
            print(f"-- page {i + 1} text:\n{doc[i].get_textpage().get_text_range()}")
    rows = catalog.extract(pdf, variant_id)
    outcome = catalog.compare(catalog.expected(variant_id), rows)
    wrong = {}
    for w, _g, key in outcome.wrong:
        wrong.setdefault(id(w), []).append(f"{key}: want {w.get(key)!r}")
    for w, g in outcome.pairs:
        status = "wrong " + "; ".join(wrong[id(w)]) if id(w) in wrong else "ok"
        print(f"  {status:8} {catalog.describe(w)}\n           got {_row(g)}")
    for w in outcome.missing:
        print(f"  MISSING  {catalog.describe(w)}")
    for g in outcome.extra:
        print(f"  EXTRA    {_row(g)}\n           from: {(g.get('sentence') or '')[:120]}")
    print(f"  -> {'exact' if outcome.exact else 'NOT exact'}")
    return outcome.exact


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.zoo.show", description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*", help="layout/variant (or a layout: all its variants)")
    ap.add_argument(
        "-o", "--out", type=Path, default=Path(tempfile.gettempdir()) / "plan-extract-zoo", help="folder for the PDFs"
    )
    ap.add_argument("--text", action="store_true", help="print each page's text layer too")
    ap.add_argument("--list", action="store_true", help="list every layout/variant and its known failure")
    args = ap.parse_args(argv)
    if args.list or not args.ids:
        for vid in catalog.variant_ids():
            print(f"{vid:45} {catalog.known_fail(vid) or ''}")
        return 0
    ids = []
    for want in args.ids:
        found = [v for v in catalog.variant_ids() if v == want or v.partition("/")[0] == want]
        if not found:
            print(f"no zoo layout {want!r} (--list shows them)", file=sys.stderr)
            return 2
        ids += found
    results = [show(vid, args.out, args.text) for vid in ids]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
