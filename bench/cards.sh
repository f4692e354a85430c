#!/usr/bin/env bash
# Social cards: what drawing them costs a build of the synthetic site of N posts.
#
#   bash bench/cards.sh N [RUNS]        (RUNS defaults to 3; run from the repository root)
#
# Builds versus in release, generates bench/out/versus-N with bench/gen.py when missing or
# stale, copies it to bench/out/cards-N, fills the highlight cache with one untimed build, then
# times RUNS full builds in each of three states, all with the highlight cache warm:
#   off   `social_cards: false` in site.yaml: no cards (the baseline);
#   cold  cards on, .versus-cache/cards/ emptied before each build: every card drawn;
#   warm  cards on, the cache kept from the previous build: every card read back.
# Each run's wall time, peak RSS and CPU time come from `/usr/bin/time -f "%e %M %U %S"`.
# Prints a Markdown table (medians) and the cost of one card: (cold - off) CPU time / cards.
# See bench/README.md.
set -euo pipefail

die() { printf 'bench/cards.sh: error: %s\n' "$*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: bash bench/cards.sh N [RUNS]"
N=$1
RUNS=${2:-3}
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=bench/out
VSITE=$OUT/versus-$N
SITE=$OUT/cards-$N

[[ -x /usr/bin/time ]] ||
    die "/usr/bin/time is missing; install it with: apt-get update && apt-get install -y time"
command -v python3 >/dev/null 2>&1 || die "python3 is required to generate the site"

echo "==> cargo build --release"
cargo build --release --quiet || die "cargo build --release failed"
TARGET_DIR=${CARGO_TARGET_DIR:-target}
mkdir -p "$OUT/bin"
VERSUS=$OUT/bin/versus-cards
cp "$TARGET_DIR/release/versus" "$VERSUS"

FP=$(python3 bench/gen.py "$N" --fingerprint)
if [[ $(cat "$VSITE/.complete" 2>/dev/null) != "$FP" ]]; then
    echo "==> generating $N posts"
    python3 bench/gen.py "$N" --out "$OUT"
fi
rm -rf "$SITE"
cp -r "$VSITE" "$SITE"
rm -rf "$SITE/public" "$SITE/.versus-cache"
cp "$SITE/site.yaml" "$SITE/site.yaml.on"
{ cat "$SITE/site.yaml.on"; echo "social_cards: false"; } >"$SITE/site.yaml.off"

build() { # state → "wall rss user sys"
    cp "$SITE/site.yaml.$1" "$SITE/site.yaml"
    [[ $1 == cold ]] && rm -rf "$SITE/.versus-cache/cards"
    /usr/bin/time -f "%e %M %U %S" -o "$SITE/.time" \
        "$VERSUS" build --root "$SITE" --output "$SITE/public" >/dev/null 2>"$SITE/.log" ||
        die "build ($1) failed: $(cat "$SITE/.log")"
    cat "$SITE/.time"
}
cp "$SITE/site.yaml.on" "$SITE/site.yaml.cold"
cp "$SITE/site.yaml.on" "$SITE/site.yaml.warm"

echo "==> warm-up (fills the highlight cache)"
build off >/dev/null
declare -A WALL CPU USER SYS RSS
for state in off cold warm; do
    for ((i = 1; i <= RUNS; i++)); do
        read -r wall rss user sys < <(build "$state")
        WALL[$state]+="$wall "
        CPU[$state]+="$(python3 -c "print(round($user + $sys, 2))") "
        RSS[$state]+="$rss "
        USER[$state]+="$user "
        SYS[$state]+="$sys "
        echo "  $state run $i: ${wall}s wall, $(python3 -c "print(round($user + $sys, 2))")s CPU, $((rss / 1024)) MiB"
    done
done
CARDS=$(find "$SITE/public" -name '*card.png' | wc -l)
BYTES=$(find "$SITE/public" -name '*card.png' -printf '%s\n' | awk '{s += $1} END {print s}')

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo
echo "versus $(git rev-parse --short HEAD), $N posts, $CARDS cards ($((BYTES / CARDS)) bytes each), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| cards | wall (s) | CPU (s) | user (s) | system (s) | peak RSS (MiB) |"
echo "|---|---:|---:|---:|---:|---:|"
for state in off cold warm; do
    rss=$(echo "${RSS[$state]}" | median)
    echo "| $state | $(echo "${WALL[$state]}" | median) | $(echo "${CPU[$state]}" | median) | $(echo "${USER[$state]}" | median) | $(echo "${SYS[$state]}" | median) | $((rss / 1024)) |"
done
off=$(echo "${CPU[off]}" | median)
cold=$(echo "${CPU[cold]}" | median)
warm=$(echo "${CPU[warm]}" | median)
echo
uoff=$(echo "${USER[off]}" | median)
ucold=$(echo "${USER[cold]}" | median)
uwarm=$(echo "${USER[warm]}" | median)
python3 -c "print(f'one card drawn: {($cold - $off) / $CARDS * 1000:.2f} ms CPU ({($ucold - $uoff) / $CARDS * 1000:.2f} ms user); read from the cache: {($warm - $off) / $CARDS * 1000:.2f} ms CPU ({($uwarm - $uoff) / $CARDS * 1000:.2f} ms user)')"
