#!/usr/bin/env python3
"""Bytes of highlighted code in a built site, and of the whole output.

    python3 bench/code_bytes.py bench/out/versus-1000/public bench/out/hugo-1000/public

For each output folder: the number of HTML files, their bytes, all files' bytes, the number of
highlighted blocks (versus: `<pre class="highlight" ...>...</pre>`; Hugo/Chroma:
`<div class="highlight"><pre ...>...</pre></div>`), their bytes (the whole element, markup
and text) and the bytes of the code's text alone (tags removed, entities counted as written),
so the markup's share shows. Standard library only.
"""

import os
import re
import sys

# versus writes <pre class="highlight" ...><code ...>...</code></pre>; Hugo wraps Chroma's
# <pre class="chroma"> in <div class="highlight">. Neither nests a <pre> inside a block.
BLOCK = re.compile(
    r'<div class="highlight"><pre.*?</pre></div>|<pre class="highlight"[^>]*>.*?</pre>',
    re.S,
)
TAG = re.compile(r"<[^>]*>")


def measure(folder):
    html_files = html_bytes = all_bytes = blocks = block_bytes = text_bytes = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            size = os.path.getsize(path)
            all_bytes += size
            if not name.endswith(".html"):
                continue
            html_files += 1
            html_bytes += size
            with open(path, encoding="utf-8") as f:
                page = f.read()
            for block in BLOCK.finditer(page):
                blocks += 1
                block_bytes += len(block.group(0).encode())
                text_bytes += len(TAG.sub("", block.group(0)).encode())
    return html_files, html_bytes, all_bytes, blocks, block_bytes, text_bytes


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: code_bytes.py OUTPUT_FOLDER...")
    print("| output | HTML files | HTML bytes | all bytes | blocks | block bytes | per block | text bytes | markup share |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for folder in sys.argv[1:]:
        if not os.path.isdir(folder):
            sys.exit(f"code_bytes.py: no folder {folder}")
        files, html, total, blocks, block, text = measure(folder)
        per = block // blocks if blocks else 0
        share = f"{(block - text) / block:.0%}" if block else "-"
        print(f"| {folder} | {files:,} | {html:,} | {total:,} | {blocks:,} | {block:,} | {per:,} | {text:,} | {share} |")


if __name__ == "__main__":
    main()
