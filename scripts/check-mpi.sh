#!/usr/bin/env bash
# The MPI smoke test (`make check` runs it last; docs/mpi.md): examples/mpi
# and apps/mnist-mpi/ram-mnist-mpi on 1 and 2 ranks of this machine
# (`mpirun -np N --oversubscribe` with Open MPI), on synthetic digits (no
# MNIST needed).
#
#   1. examples/mpi on 2 ranks (parameters compared every update).
#   2. 20 updates at a total batch of 32 on 1 rank (2 shares) and on 2 ranks:
#      the parameters agree to a relative 1e-5 (float summation order), and
#      the 2-rank run finds them bit-identical across its ranks every update.
#   3. A parameter changed on rank 1 stops the run with a clear error.
#   4. Rank 1 exits before update 17: the job ends (no hang), the last
#      checkpoint resumes, and the resumed run ends bit-identical to (2).
#   5. Rank 1 hangs: the --watchdog ends the job.
#   6. Resuming with a rank count that does not divide the shares: an error.
#
# Without mpicc (the binaries were not built) or mpirun it prints a
# "skipped" line and succeeds. Environment: HAVE_MPICC (yes when the
# Makefile found mpicc), MPIRUN (mpirun), BUILD (build).
set -euo pipefail

MPIRUN=${MPIRUN:-mpirun}
BUILD=${BUILD:-build}
echo "== MPI smoke test (scripts/check-mpi.sh)"
if [ "${HAVE_MPICC:-}" != yes ] || ! command -v "$MPIRUN" >/dev/null 2>&1; then
    echo "check-mpi: skipped (no mpicc or no $MPIRUN; scripts/setup-debian.sh" \
         "installs Open MPI: libopenmpi-dev openmpi-bin)"
    exit 0
fi
# Open MPI refuses to run as root unless told (a container, CI), and more
# ranks than cores without --oversubscribe (test 6 starts 3 on 2 cores);
# other MPIs (MPICH's hydra) need neither.
OVERSUB=()
if "$MPIRUN" --version 2>&1 | grep -q "Open MPI"; then
    OVERSUB=(--oversubscribe)
    if [ "$(id -u)" -eq 0 ]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
fi
echo "$("$MPIRUN" --version 2>&1 | sed -n 1p)"
APP=apps/mnist-mpi/ram-mnist-mpi
DIR=$BUILD/check-mpi
rm -rf "$DIR"
mkdir -p "$DIR"
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAILED: $*" >&2; fail=$((fail + 1)); }
# run NP LOG ARGS...: mpirun with a time limit, output in $DIR/LOG.
run() {
    local np=$1 log=$2
    shift 2
    timeout 120 "$MPIRUN" -np "$np" "${OVERSUB[@]}" "$@" >"$DIR/$log" 2>&1
}
# The run of tests 2 and 4: 500 synthetic digits (400 to train, 13 batches
# of 32 per epoch, so the 20 updates cross the end of epoch 1).
TRAIN=("$APP" train --task mnist28 --synthetic 500 --batch 32 --seed 1)

# 1.
if run 2 example.log examples/mpi --updates 6 --check-every 1; then
    ok "examples/mpi on 2 ranks: $(tail -n 1 "$DIR/example.log")"
else
    bad "examples/mpi on 2 ranks"; cat "$DIR/example.log" >&2
fi

# 2.
if run 1 r1.log "${TRAIN[@]}" --shares 2 --max-updates 20 --out "$DIR/r1" \
        --save "$DIR/r1.ram" &&
   run 2 r2.log "${TRAIN[@]}" --max-updates 20 --check-every 1 \
        --out "$DIR/r2" --save "$DIR/r2.ram" &&
   grep -q "parameters identical on all 2 ranks" "$DIR/r2.log" &&
   [ "$(grep -c '^1	' "$DIR/r2/log.tsv")" = 1 ] &&
   "$APP" compare "$DIR/r1.ram" "$DIR/r2.ram" --max-rel 1e-5 >"$DIR/cmp12.log" 2>&1
then
    ok "1 rank vs 2 ranks after 20 updates: $(cat "$DIR/cmp12.log")"
else
    bad "1 rank vs 2 ranks"; cat "$DIR"/r1.log "$DIR"/r2.log "$DIR"/cmp12.log >&2 || true
fi

# 3.
if run 2 perturb.log "${TRAIN[@]}" --max-updates 20 --check-every 2 \
        --test-perturb 1:3 --out "$DIR/perturb"; then
    bad "a parameter changed on rank 1 went unnoticed"
elif grep -q "the parameters differ across ranks after update 4" "$DIR/perturb.log"; then
    ok "a parameter changed on rank 1 after update 3: caught at update 4"
else
    bad "perturbed run: no divergence message"; cat "$DIR/perturb.log" >&2
fi

# 4.
start=$(date +%s)
if run 2 die.log "${TRAIN[@]}" --max-updates 20 --checkpoint-every 5 \
        --test-exit 1:17 --out "$DIR/die"; then
    bad "the job went on after rank 1 exited"
elif [ $(($(date +%s) - start)) -ge 100 ]; then
    bad "the job hung after rank 1 exited"; cat "$DIR/die.log" >&2
elif run 2 resume.log "$APP" train --resume --out "$DIR/die" \
        --max-updates 20 --save "$DIR/resumed.ram" &&
     grep -q "at update 13 " "$DIR/resume.log" &&
     "$APP" compare "$DIR/r2.ram" "$DIR/resumed.ram" --max-rel 0 \
        >"$DIR/cmp-resume.log" 2>&1 &&
     grep -q bit-identical "$DIR/cmp-resume.log"; then
    ok "rank 1 died before update 17: job ended in $(($(date +%s) - start)) s;" \
       "resumed from update 13 to 20, bit-identical to the uninterrupted run"
else
    bad "resume after a rank died"
    cat "$DIR/die.log" "$DIR/resume.log" "$DIR/cmp-resume.log" >&2 || true
fi

# 5.
start=$(date +%s)
if run 2 hang.log "${TRAIN[@]}" --max-updates 20 --test-hang 1:3 \
        --watchdog 3 --out "$DIR/hang"; then
    bad "the job went on while rank 1 hung"
elif grep -q "watchdog: no progress" "$DIR/hang.log" &&
     [ $(($(date +%s) - start)) -lt 60 ]; then
    ok "rank 1 hung: the watchdog ended the job in $(($(date +%s) - start)) s"
else
    bad "hung rank: no watchdog"; cat "$DIR/hang.log" >&2
fi

# 6.
if run 3 np3.log "$APP" train --resume --out "$DIR/r2" --max-updates 21; then
    bad "3 ranks resumed a run of 2 shares"
elif grep -q "3 ranks do not divide the run's 2 shares" "$DIR/np3.log"; then
    ok "3 ranks refused for a run of 2 shares"
else
    bad "3 ranks: no clear error"; cat "$DIR/np3.log" >&2
fi

echo "check-mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
