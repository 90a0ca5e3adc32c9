#!/usr/bin/env bash
# The MNIST demo: what `make demo` runs (after `make examples`).
#
# If models/mnist28.ram exists (a shipped model), it is evaluated on the
# 10,000 MNIST test images (deterministic error: greedy locations, one
# rollout) and its glimpse paths are drawn into runs/demo/glimpses.png.
#
# Otherwise the paper's 28x28 model (6 glimpses of 8x8, RNN core of 256) is
# trained from scratch for a few minutes into runs/demo/ (removed first if
# an earlier demo left it), the epoch with the lowest validation error
# (runs/demo/best.ram) is evaluated on the test images, and its glimpse
# paths are drawn into runs/demo/glimpses.png.
#
# Either way it also writes runs/demo/samples-cluttered60.png (Figure 2 of
# the paper: test images of the 60x60 cluttered task).
#
# MNIST is read from $RAM_MNIST_DIR, data/mnist or ../shared/data/mnist
# (examples/mnist/fetch-mnist.sh DIR downloads it). Nothing is downloaded.
#
# Environment:
#   RAM_DEMO_EPOCHS      training epochs (default 80)
#   RAM_DEMO_THREADS     threads (default 2)
#   RAM_DEMO_TIME_LIMIT  seconds after which training stops early, with a
#                        checkpoint, so that the demo ends in time on a
#                        slower machine (default 360)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

bin=examples/mnist/ram-mnist
out=runs/demo
model=models/mnist28.ram
epochs=${RAM_DEMO_EPOCHS:-80}
threads=${RAM_DEMO_THREADS:-2}
time_limit=${RAM_DEMO_TIME_LIMIT:-360}

if [ ! -x "$bin" ]; then
    echo "demo: $bin is not built: run 'make examples' (or 'make demo')" >&2
    exit 1
fi

# OpenBLAS 0.3.21 misdetects some AVX-512 CPUs and then runs ~3x slower.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=SKYLAKEX
fi

start=$(date +%s)
if [ -f "$model" ]; then
    echo "== demo: evaluating the shipped model $model on the MNIST test set"
    mkdir -p "$out"
else
    echo "== demo: no $model: training the paper's 28x28 model for $epochs epochs"
    echo "   (at most ${time_limit}s) into $out/"
    if [ -e "$out" ]; then
        rm -rf "$out"
    fi
    "$bin" train --task mnist28 --preset paper --out "$out" \
        --epochs "$epochs" --lr-decay 0.95 --threads "$threads" \
        --time-limit "$time_limit"
    model=$out/best.ram
    if [ ! -f "$model" ]; then
        # Stopped by the time limit before the first epoch ended.
        model=$out/checkpoint.ram
    fi
fi

echo
echo "== demo: test error of $model"
eval_out=$("$bin" eval "$model" --task mnist28 --split test --threads "$threads")
echo "$eval_out"

echo
echo "== demo: pictures"
"$bin" show "$model" --task mnist28 --png "$out/glimpses.png" --count 8
"$bin" samples --task cluttered60 --png "$out/samples-cluttered60.png"

err=$(printf '%s\n' "$eval_out" | sed -n 's/^error *\([0-9.]*%\) .*deterministic.*/\1/p')
end=$(date +%s)
echo
echo "== demo done in $((end - start)) s"
echo "   model:         $model"
echo "   test error:    ${err:-?} (10,000 MNIST test images; greedy locations, one rollout)"
echo "   glimpse paths: $out/glimpses.png"
echo "   task samples:  $out/samples-cluttered60.png"
