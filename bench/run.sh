#!/usr/bin/env bash
# Build benchmark: versus against Hugo (and Zola, when `zola` is on the PATH) on the same
# synthetic site of N posts.
#
#   bash bench/run.sh N [RUNS]        (RUNS defaults to 5; run from the repository root)
#
# Builds versus in release, generates bench/out/{versus,hugo,zola}-N with bench/gen.py when
# missing or stale, does one untimed warm-up build of each, then RUNS timed full builds of each,
# alternating the tools so that background load hits all alike. Each run's wall time,
# peak RSS and CPU time come from `/usr/bin/time -f "%e %M %U %S"`. Prints a Markdown table and
# writes it, with the raw figures and the machine's details, to bench/out/results-N.md.
# See bench/README.md.
set -euo pipefail

die() { printf 'bench/run.sh: error: %s\n' "$*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: bash bench/run.sh N [RUNS]"
N=$1
RUNS=${2:-5}
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=bench/out
VSITE=$OUT/versus-$N
HSITE=$OUT/hugo-$N
ZSITE=$OUT/zola-$N
RESULTS=$OUT/results-$N.md
LOGS=$OUT/logs-$N

# ---------------------------------------------------------------- tools
command -v hugo >/dev/null 2>&1 ||
    die "hugo is not installed; install it with: apt-get update && apt-get install -y hugo"
[[ -x /usr/bin/time ]] ||
    die "/usr/bin/time is missing (the shell keyword cannot report peak RSS); install it with: apt-get update && apt-get install -y time"
command -v python3 >/dev/null 2>&1 || die "python3 is required to generate the sites"
command -v cargo >/dev/null 2>&1 || die "cargo is required to build versus"

echo "==> cargo build --release"
cargo build --release --quiet || die "cargo build --release failed"
TARGET_DIR=${CARGO_TARGET_DIR:-target}
[[ -x $TARGET_DIR/release/versus ]] || die "no versus binary at $TARGET_DIR/release/versus"
# Time a private copy, so that another cargo build cannot swap the binary mid-benchmark.
mkdir -p "$OUT/bin" "$LOGS"
VERSUS=$OUT/bin/versus
cp "$TARGET_DIR/release/versus" "$VERSUS"
VERSUS_REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null) ]]; then
    VERSUS_REV="$VERSUS_REV + uncommitted changes"
fi
HUGO_VERSION=$(hugo version | sed -E 's/^hugo (v[^ ]+).*/\1/')
TOOLS=(versus hugo)
ZOLA_VERSION=
if command -v zola >/dev/null 2>&1; then
    TOOLS+=(zola)
    ZOLA_VERSION=$(zola --version | sed -E 's/^zola //')
else
    echo "==> zola is not on the PATH: measuring versus and Hugo only"
fi

# ---------------------------------------------------------------- sites
FP=$(python3 bench/gen.py "$N" --fingerprint)
if [[ $(cat "$VSITE/.complete" 2>/dev/null) != "$FP" || $(cat "$HSITE/.complete" 2>/dev/null) != "$FP" ||
      $(cat "$ZSITE/.complete" 2>/dev/null) != "$FP" ]]; then
    echo "==> generating $N posts"
    python3 bench/gen.py "$N" --out "$OUT"
else
    echo "==> reusing $VSITE, $HSITE and $ZSITE (generator unchanged)"
fi

# ---------------------------------------------------------------- one build of each
# Output goes to $LOGS/<tool>-<run>.log; "wall-s peak-RSS-KiB user-s sys-s" to <tool>-<run>.time.
timed() { # tool run-name
    local tool=$1 run=$2 log=$LOGS/$1-$2.log cmd
    if [[ $tool == versus ]]; then
        # versus swaps its output folder in atomically: no need to delete public/ first.
        # VERSUS_FLAGS=--no-cache measures cold builds (no highlight cache from earlier runs).
        read -r -a flags <<< "${VERSUS_FLAGS:-}"
        cmd=("$VERSUS" build --root "$VSITE" --output "$VSITE/public" "${flags[@]}")
    elif [[ $tool == hugo ]]; then
        # A clean build: no public/, no resources/ (Hugo's cache), no --gc.
        # --destination is relative to --source.
        rm -rf "$HSITE/public" "$HSITE/resources"
        cmd=(hugo --quiet --source "$HSITE" --destination public)
    else
        # Zola refuses an existing output folder unless --force: a clean build, as Hugo's.
        rm -rf "$ZSITE/public"
        cmd=(zola --root "$ZSITE" build --output-dir "$ZSITE/public")
    fi
    if ! /usr/bin/time -f "%e %M %U %S" -o "$LOGS/$tool-$run.time" "${cmd[@]}" >"$log" 2>&1; then
        echo "---- $tool build failed ($run): ${cmd[*]}" >&2
        cat "$log" >&2
        die "$tool failed to build the $N-post site (log: $log)"
    fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "==> warm-up build of each (untimed), then $RUNS timed runs of each, alternating"
for tool in "${TOOLS[@]}"; do timed "$tool" warmup; done
for i in $(seq 1 "$RUNS"); do
    line="    run $i/$RUNS:"
    for tool in "${TOOLS[@]}"; do
        timed "$tool" "$i"
        line+=" $tool $(cut -d' ' -f1 "$LOGS/$tool-$i.time") s"
    done
    echo "$line"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- equal work?
# Posts live at /:year/:month/:day/:slug/index.html in every output; each tool writes one feed
# (versus /feed.xml and Zola /atom.xml in Atom, Hugo /index.xml in RSS) of the newest 20 posts.
site_of() { case $1 in versus) echo "$VSITE" ;; hugo) echo "$HSITE" ;; zola) echo "$ZSITE" ;; esac; }
count_posts() { find "$1" -path "$1/[0-9][0-9][0-9][0-9]/*/*/*/index.html" | wc -l; }
count_html() { find "$1" -name '*.html' | wc -l; }
count_entries() { # the entries of every feed: "<file>:<n> …"
    local f out=
    while IFS= read -r f; do
        out+=" ${f#"$1"/}:$(grep -o -E '<entry>|<entry |<item>' "$f" | wc -l)"
    done < <(find "$1" -name '*.xml' ! -name 'sitemap*.xml' | sort)
    echo "${out# }"
}
size_mib() { du -s --apparent-size --block-size=1M "$1" | cut -f1; }
WRITTEN=
for tool in "${TOOLS[@]}"; do
    pub=$(site_of "$tool")/public
    posts=$(count_posts "$pub")
    line="$tool: $posts post pages ($(count_html "$pub") HTML files, $(size_mib "$pub") MiB in all); feeds: $(count_entries "$pub")"
    echo "==> $line"
    WRITTEN+="- $line"$'\n'
    [[ $posts -eq $N ]] || die "$tool wrote $posts post pages, expected $N"
done

# ---------------------------------------------------------------- report
TOOL_LIST="${TOOLS[*]}" WRITTEN="$WRITTEN" python3 - "$N" "$RUNS" "$LOGS" "$RESULTS" <<PY
import os, statistics, sys
n, runs, logs, results = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
tools = os.environ["TOOL_LIST"].split()
rows, med = [], {}
for tool in tools:
    # The last line; a failed command would add a line before it.
    fields = [open(f"{logs}/{tool}-{i}.time").read().splitlines()[-1].split()
              for i in range(1, runs + 1)]
    wall = [float(f[0]) for f in fields]
    rss = [int(f[1]) / 1024 for f in fields]
    cpu = [float(f[2]) + float(f[3]) for f in fields]
    med[tool] = (statistics.median(wall), statistics.median(rss), statistics.median(cpu))
    rows.append((tool, wall, rss, cpu))
label = {"versus": "versus", "hugo": "Hugo $HUGO_VERSION", "zola": "Zola $ZOLA_VERSION"}
table = [
    "| tool | N | median wall (s) | min (s) | max (s) | median peak RSS (MiB) | median CPU (s) |",
    "|---|---:|---:|---:|---:|---:|---:|",
]
for tool, wall, rss, cpu in rows:
    table.append(
        f"| {label[tool]} | {n} | {med[tool][0]:.2f} | {min(wall):.2f} | {max(wall):.2f} "
        f"| {med[tool][1]:.0f} | {med[tool][2]:.2f} |"
    )
def ratio(a, b):
    return a / b if b else float("nan")
for peer in tools[1:]:
    v, p = med["versus"], med[peer]
    table.append(
        f"| versus/{label[peer].split()[0]} (ratio of medians) | {n} | {ratio(v[0], p[0]):.2f}× | | "
        f"| {ratio(v[1], p[1]):.2f}× | {ratio(v[2], p[2]):.2f}× |"
    )
table = "\n".join(table)
print()
print(table)
print()
raw = "\n".join(
    f"- {tool}: wall s {', '.join(f'{w:.2f}' for w in wall)}; "
    f"peak RSS MiB {', '.join(f'{r:.0f}' for r in rss)}; "
    f"CPU (user+sys) s {', '.join(f'{c:.2f}' for c in cpu)}"
    for tool, wall, rss, cpu in rows
)
versions = "\n".join(
    f"- {label[t].split()[0]}: \`{v}\`"
    for t, v in (("hugo", "$(hugo version)"), ("zola", "$ZOLA_VERSION"))
    if t in tools
)
with open(results, "w") as f:
    f.write(f"""# Build benchmark, {n} posts

{table}

Runs: {runs} timed full builds of each after one untimed warm-up, alternating {", ".join(tools)}.
Written:
{os.environ["WRITTEN"]}
Raw figures, in run order:
{raw}

- versus: \`$VERSUS_REV\` (release build), flags: \`${VERSUS_FLAGS:-none}\`
{versions}
- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM
- load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER
- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)
""")
print(f"written to {results}")
PY
