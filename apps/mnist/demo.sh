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
# MNIST is read from $RAM_MNIST_DIR, else data/mnist. When neither holds
# the four files, scripts/fetch-mnist.sh downloads them into data/mnist and
# checks their MD5 sums; without a network the demo stops there, saying so.
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

bin=apps/mnist/ram-mnist
out=runs/demo
model=models/mnist28.ram
epochs=${RAM_DEMO_EPOCHS:-80}
threads=${RAM_DEMO_THREADS:-2}
time_limit=${RAM_DEMO_TIME_LIMIT:-360}

if [ ! -x "$bin" ]; then
    echo "demo: $bin is not built: run 'make apps' (or 'make demo')" >&2
    exit 1
fi

# The data: $RAM_MNIST_DIR, else data/mnist, fetched there if absent.
have_mnist() {
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte \
        t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
        [ -f "$1/$f.gz" ] || [ -f "$1/$f" ] || return 1
    done
}
if [ -n "${RAM_MNIST_DIR:-}" ]; then
    data=$RAM_MNIST_DIR
    if ! have_mnist "$data"; then
        echo "demo: RAM_MNIST_DIR=$data does not hold the four MNIST files" >&2
        echo "      (scripts/fetch-mnist.sh $data downloads them)" >&2
        exit 1
    fi
else
    data=data/mnist
    if ! have_mnist "$data"; then
        echo "== demo: MNIST is not in $data: downloading it"
        if ! sh scripts/fetch-mnist.sh "$data"; then
            echo "demo: could not download MNIST (no network?). Put the four" >&2
            echo "      MNIST .gz files in data/mnist, or set RAM_MNIST_DIR" >&2
            echo "      to a directory that holds them, and run 'make demo' again." >&2
            exit 1
        fi
    fi
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
    "$bin" train --task mnist28 --preset paper --out "$out" --data "$data" \
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
eval_out=$("$bin" eval "$model" --task mnist28 --split test --threads "$threads" --data "$data")
echo "$eval_out"

echo
echo "== demo: pictures"
"$bin" show "$model" --task mnist28 --png "$out/glimpses.png" --count 8 --data "$data"
"$bin" samples --task cluttered60 --png "$out/samples-cluttered60.png" --data "$data"

err=$(printf '%s\n' "$eval_out" | sed -n 's/^error *\([0-9.]*%\) .*deterministic.*/\1/p')
end=$(date +%s)
echo
echo "== demo done in $((end - start)) s"
echo "   model:         $model"
echo "   test error:    ${err:-?} (10,000 MNIST test images; greedy locations, one rollout)"
echo "   glimpse paths: $out/glimpses.png"
echo "   task samples:  $out/samples-cluttered60.png"
