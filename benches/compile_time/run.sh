#!/usr/bin/env bash
# Reports what `#[differentiable]` costs at compile time on src/lib.rs (10 scalar functions with
# control flow, 10 tensor models):
#   1. lines of generated code per function (AUTODIFF_DEBUG=1 prints the expansion);
#   2. release build of the crate alone (dependencies prebuilt), with the attribute
#      (`--cfg with_ad`) and without it: RUNS builds of each, interleaved (ad, plain, ad, ...)
#      so that a change of machine load hits both alike. For each variant the median and the
#      min-max of the wall time and of the CPU time (user+sys of cargo and the rustc it runs,
#      which a busy machine inflates much less than the wall time), and the ratio of medians.
# Usage: benches/compile_time/run.sh [RUNS]   (default 5). Separate target dirs per variant.
# Needs only bash, awk, sort, join, bc and cargo.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-5}
T=target/compile-time

build() { # $1 = variant (ad|plain); prints "wall cpu" in seconds of one crate-only release build
    local flags="" t
    [ "$1" = ad ] && flags="--cfg with_ad"
    touch src/lib.rs
    # bash's `time` reports the wall time and the user and system time of the command and of
    # every process it waited for (cargo waits for rustc), on stderr after TIMEFORMAT.
    t=$( { TIMEFORMAT='%R %U %S'; time RUSTFLAGS="$flags" CARGO_TARGET_DIR="$T-$1" \
        cargo build --release --quiet 2>/dev/null; } 2>&1 )
    echo "$t" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }'
}
# stdin: one number a line; prints "median min max"
stats() { sort -n | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f\n", m, a[1], a[NR] }'; }

# warm: build dependencies once per variant (quiet: cargo replays the cached output of the last
# build, which may be an AUTODIFF_DEBUG expansion; shown only if the build fails)
warm() { # $1 = variant, $2 = RUSTFLAGS
    RUSTFLAGS="$2" CARGO_TARGET_DIR="$T-$1" cargo build --release --quiet 2>/dev/null \
        || RUSTFLAGS="$2" CARGO_TARGET_DIR="$T-$1" cargo build --release
}
warm ad "--cfg with_ad"
warm plain ""

echo "== generated lines per function (the _vjp and _grad items; source lines in parentheses)"
touch src/lib.rs
RUSTFLAGS="--cfg with_ad" AUTODIFF_DEBUG=1 CARGO_TARGET_DIR="$T-ad" cargo build --release 2>&1 \
  | awk '/^\/\*\*Forward sweep of \[`/ { match($0, /\[`[a-z0-9_]+`\]/); name = substr($0, RSTART+2, RLENGTH-4) }
         name != "" && !/^ *(Compiling|Finished)/ { n[name]++ }
         END { for (k in n) { printf "%s %d\n", k, n[k]; t += n[k] } printf "TOTAL %d\n", t }' \
  | sort > "$T-lines.txt"
awk '/^pub fn/ { if (f) print f, n; match($0, /fn [a-z0-9_]+/); f = substr($0, RSTART+3, RLENGTH-3); n = 0 } f { n++ } END { print f, n }' src/lib.rs | sort > "$T-src.txt"
join "$T-lines.txt" "$T-src.txt" | awk '{ printf "%-22s %5d generated (%d source)\n", $1, $2, $3; g += $2; s += $3 } END { printf "%-22s %5d generated (%d source), %.0f per function\n", "total", g, s, g / NR }'

echo "== release build of the crate alone, $RUNS interleaved builds per variant (seconds)"
: > "$T-times.txt"
for i in $(seq "$RUNS"); do
    for v in ad plain; do
        echo "$v $(build "$v")" >> "$T-times.txt"
    done
done
col() { awk -v v="$1" -v c="$2" '$1 == v { print $c }' "$T-times.txt" | stats; }
read -r aw awlo awhi <<< "$(col ad 2)"
read -r ac aclo achi <<< "$(col ad 3)"
read -r pw pwlo pwhi <<< "$(col plain 2)"
read -r pc pclo pchi <<< "$(col plain 3)"
printf "%-24s %-24s %s\n" "" "wall: median (min-max)" "cpu: median (min-max)"
printf "%-24s %-24s %s\n" "with #[differentiable]" "$aw ($awlo-$awhi)" "$ac ($aclo-$achi)"
printf "%-24s %-24s %s\n" "without" "$pw ($pwlo-$pwhi)" "$pc ($pclo-$pchi)"
printf "%-24s %-24s %s\n" "ratio of medians" "$(echo "scale=2; $aw / $pw" | bc)x" \
    "$(echo "scale=2; $ac / $pc" | bc)x"
uptime
