#!/usr/bin/env bash
# Images: what measuring, resizing and encoding a post's images costs a build (issue #17).
#
#   bash bench/images.sh N [RUNS]        (RUNS defaults to 3; run from the repository root)
#
# Generates the synthetic site of N posts with bench/gen.py into $OUT/images-N (OUT defaults
# to bench/out), draws 40 distinct images with examples/bench_images.rs: 20 PNG diagrams of
# 1600x900 and 20 JPEG photographs of 2000x1333 (smooth noise at quality 90), and gives every post two of them (post K shows PNG K mod 20 and JPEG
# K mod 20: each image is shown by N/20 posts, so one encoded variant serves many pages).
# Then, with the highlight and card caches warm, times RUNS builds in each of three states:
#   none  the same site without its images (the baseline);
#   cold  `--no-cache`-like: .versus-cache/images/ emptied before each build, every variant
#         decoded, resized and encoded;
#   warm  the image cache kept from the previous build: nothing decoded or encoded.
# Each run's wall time, peak RSS and CPU time come from `/usr/bin/time -f "%e %M %U %S"`.
# Prints a Markdown table (medians), the variants written and their bytes by format.
# VERSUS=path/to/versus uses that binary instead of a release build.
set -euo pipefail

die() { printf 'bench/images.sh: error: %s\n' "$*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: bash bench/images.sh N [RUNS]"
N=$1
RUNS=${2:-3}
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=${OUT:-bench/out}
SITE=$OUT/images-$N

[[ -x /usr/bin/time ]] ||
    die "/usr/bin/time is missing; install it with: apt-get update && apt-get install -y time"
command -v python3 >/dev/null 2>&1 || die "python3 is required to generate the site"

if [[ -z ${VERSUS:-} ]]; then
    echo "==> cargo build --release"
    cargo build --release --quiet || die "cargo build --release failed"
    VERSUS=${CARGO_TARGET_DIR:-target}/release/versus
fi
[[ -x $VERSUS ]] || die "no versus binary at $VERSUS"

echo "==> generating $SITE"
rm -rf "$SITE"
mkdir -p "$OUT"
python3 bench/gen.py "$N" --out "$OUT/gen-images-$N" >/dev/null
cp -r "$OUT/gen-images-$N/versus-$N" "$SITE"
rm -rf "$OUT/gen-images-$N"
cargo run --quiet --example bench_images -- "$SITE/static/img" 20 ||
    die "drawing the images failed"
cp -r "$SITE" "$SITE-none"
python3 - "$SITE" <<'EOF'
import pathlib, sys
posts = sorted(pathlib.Path(sys.argv[1], "content/posts").glob("*.md"))
for k, post in enumerate(posts):
    text = post.read_text()
    head, sep, body = text.partition("\n\n")
    post.write_text(
        f"{head}{sep}![A diagram](/img/diagram-{k % 20}.png)\n\n{body}\n"
        f"![A photograph](/img/photo-{k % 20}.jpg)\n"
    )
EOF

build() { # site → "wall rss user sys"
    /usr/bin/time -f "%e %M %U %S" -o "$OUT/time.txt" \
        "$VERSUS" build --root "$1" --force --quiet >/dev/null 2>"$OUT/stderr.txt" ||
        { cat "$OUT/stderr.txt" >&2; die "build of $1 failed"; }
    cat "$OUT/time.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm the other caches (highlighted code, cards) in both sites.
build "$SITE-none" >/dev/null
build "$SITE" >/dev/null

declare -A WALL RSS CPU
for state in none cold warm; do
    walls=() rsss=() cpus=()
    for _ in $(seq "$RUNS"); do
        site=$SITE
        [[ $state == none ]] && site=$SITE-none
        [[ $state == cold ]] && rm -rf "$SITE/.versus-cache/images"
        read -r wall rss user sys < <(build "$site")
        walls+=("$wall") rsss+=("$rss") cpus+=("$(echo "$user + $sys" | bc)")
    done
    WALL[$state]=$(printf '%s\n' "${walls[@]}" | median)
    RSS[$state]=$(printf '%s\n' "${rsss[@]}" | median)
    CPU[$state]=$(printf '%s\n' "${cpus[@]}" | median)
done

echo
echo "| $N posts, 2 images each (40 distinct) | wall s | CPU s | peak RSS MB |"
echo "|---|---|---|---|"
for state in none cold warm; do
    echo "| $state | ${WALL[$state]} | ${CPU[$state]} | $((RSS[$state] / 1024)) |"
done
echo
echo "Variants in $SITE/public/_img:"
for ext in png webp jpg; do
    files=$(find "$SITE/public/_img" -name "*.$ext" | wc -l)
    bytes=$(find "$SITE/public/_img" -name "*.$ext" -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    echo "  .$ext: $files files, $bytes bytes"
done
for ext in png jpg; do
    bytes=$(find "$SITE/static/img" -name "*.$ext" -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    echo "  originals .$ext: $bytes bytes"
done
