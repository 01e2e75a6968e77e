#!/usr/bin/env bash
# Reports what `#[differentiable]` costs at compile time on src/lib.rs (10 scalar functions with
# control flow, 10 tensor models):
#   1. lines of generated code per function (AUTODIFF_DEBUG=1 prints the expansion);
#   2. release build time of the crate alone (dependencies prebuilt), with the attribute
#      (`--cfg with_ad`) and without it, median of RUNS builds.
# Usage: benches/compile_time/run.sh [RUNS]   (default 3). Separate target dirs per variant.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-3}
T=target/compile-time

build() { # $1 = variant (ad|plain); prints seconds of one crate-only release build
    local flags=""
    [ "$1" = ad ] && flags="--cfg with_ad"
    touch src/lib.rs
    local s=$(date +%s.%N)
    RUSTFLAGS="$flags" CARGO_TARGET_DIR="$T-$1" cargo build --release --quiet 2>/dev/null
    echo "$(date +%s.%N) - $s" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# warm: build dependencies once per variant
RUSTFLAGS="--cfg with_ad" CARGO_TARGET_DIR="$T-ad" cargo build --release --quiet
CARGO_TARGET_DIR="$T-plain" cargo build --release --quiet

echo "== generated lines per function (the _vjp and _grad items; source lines in parentheses)"
touch src/lib.rs
RUSTFLAGS="--cfg with_ad" AUTODIFF_DEBUG=1 CARGO_TARGET_DIR="$T-ad" cargo build --release 2>&1 \
  | awk '/^\/\*\*Forward sweep of \[`/ { match($0, /\[`[a-z0-9_]+`\]/); name = substr($0, RSTART+2, RLENGTH-4) }
         name != "" && !/^ *(Compiling|Finished)/ { n[name]++ }
         END { for (k in n) { printf "%s %d\n", k, n[k]; t += n[k] } printf "TOTAL %d\n", t }' \
  | sort > "$T-lines.txt"
awk '/^pub fn/ { if (f) print f, n; match($0, /fn [a-z0-9_]+/); f = substr($0, RSTART+3, RLENGTH-3); n = 0 } f { n++ } END { print f, n }' src/lib.rs | sort > "$T-src.txt"
join "$T-lines.txt" "$T-src.txt" | awk '{ printf "%-22s %5d generated (%d source)\n", $1, $2, $3; g += $2; s += $3 } END { printf "%-22s %5d generated (%d source), %.0f per function\n", "total", g, s, g / NR }'

echo "== release build time of the crate alone, median of $RUNS"
ad=$(for i in $(seq "$RUNS"); do build ad; done | median)
plain=$(for i in $(seq "$RUNS"); do build plain; done | median)
echo "with #[differentiable]: ${ad}s   without: ${plain}s   ratio: $(echo "scale=2; $ad / $plain" | bc)"
uptime
