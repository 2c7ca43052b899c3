"""Admin levels, and the rules that decided them, on every corpus we have.

    .venv/bin/python benchmarks/region_levels.py               # corpus/, ../shared/corpus-pdf, ../shared/corpus-pdf-unlabelled
    .venv/bin/python benchmarks/region_levels.py FOLDER ...    # any folders of plans

For each folder: how many documents are national / province / prefecture / county (or have no
region), which rule gave the region (header, signature, title, doc_number, body), every county
with the rule that gave it (a county must come from the title, header or signature: the body
never gives one), and the CPU time of the metadata step per document.  Reads the files with the
project's readers and infers metadata as ``plan-extract run`` does.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEVELS = ("national", "province", "prefecture", "county", None)


def main(argv: list[str]) -> int:
    from extract.batch.discover import find_documents
    from extract.context.metadata import infer_metadata
    from extract.patterns import load_patterns
    from extract.pipeline import rules_for
    from extract.readers import read_document

    folders = [Path(a) for a in argv] or [
        ROOT / "corpus",
        ROOT.parent / "shared" / "corpus-pdf",
        ROOT.parent / "shared" / "corpus-pdf-unlabelled",
    ]
    patterns = load_patterns()
    tokenizer = rules_for(patterns).lex.tokenizer
    cut = lambda s: tokenizer.cut(s, HMM=False)  # noqa: E731 - as the pipeline calls it
    bad_counties = 0
    for folder in folders:
        if not folder.is_dir():
            print(f"{folder}: not present, skipped")
            continue
        levels, rules, counties, cpu, n = Counter(), Counter(), [], 0.0, 0
        for path in find_documents(folder)[0]:
            try:
                doc = read_document(path, folder)
            except Exception as exc:  # noqa: BLE001 - an unreadable file is the reader's business, not this count's
                print(f"  {path.name}: not read ({exc})")
                continue
            start = time.process_time()
            meta = infer_metadata(doc, patterns, cut=cut)
            cpu += time.process_time() - start
            n += 1
            levels[meta.admin_level] += 1
            rules[meta.rules.get("region", "none")] += 1
            if meta.admin_level == "county":
                counties.append(f"{doc.doc_id}: {meta.region} ({meta.rules['region']})")
                bad_counties += meta.rules["region"] not in ("manifest", "header", "signature", "title")
        print(f"{folder} — {n} documents")
        print("  levels: " + "  ".join(f"{lvl or 'no region'} {levels[lvl]}" for lvl in LEVELS))
        print("  region from: " + "  ".join(f"{r} {k}" for r, k in sorted(rules.items(), key=lambda kv: -kv[1])))
        for line in counties:
            print(f"  county {line}")
        if n:
            print(f"  metadata: {1000 * cpu / n:.1f} ms CPU per document")
    print(f"counties not named in the title, header or signature: {bad_counties}")
    return 1 if bad_counties else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
