#!/usr/bin/env bash
# The end-to-end job as a user meets it: `lacbed pipeline` on a tiny dataset in both directions
# and two seeds (every result file, the summary, a rerun that resumes instead of redoing), `lacbed
# prepare` on Felix-style run folders, lacbed refusing raw intensities, and the embedding example
# loading the pipeline's model.
#   test_pipeline.sh LACBED GAN_EMBEDDING WORKDIR
set -u
lacbed=$1 embedding=$2 work=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/expect.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

expect 0 "usage: lacbed pipeline" "$lacbed" pipeline --help
expect 0 "usage: lacbed prepare" "$lacbed" prepare --help

# Eight 64x64 crystals, one epoch per run: seconds, not minutes.
tiny=(--output res --count 8 --epochs 1 --decay-epochs 0 --direction both --seeds 1,2 --grid-rows 2)
expect 0 "Test-split MSE against the mean-image baseline" "$lacbed" pipeline "${tiny[@]}"
runs=res/unet6-16-64-d16-8-data1
[[ -s res/dataset-64-8-seed1/manifest.json ]] || fail "the dataset's manifest is missing"
for run in {structure-to-pattern,pattern-to-structure}-seed{1,2}; do
  for f in generator.safetensors checkpoint.safetensors losses.csv losses.png metrics.json predictions.png; do
    [[ -s $runs/$run/$f ]] || fail "$runs/$run/$f missing"
  done
done
grep -q '"mse_mean_over_seeds"' $runs/summary.json || fail "summary.json lacks the mean over seeds"
[[ $(grep -c '^| \*\*' $runs/summary.md) == 2 ]] || fail "summary.md should hold one mean row per direction"
grep -q '"baseline_scores"' $runs/pattern-to-structure-seed2/metrics.json || fail "metrics.json lacks the baseline"
# Per family: every test image of every seed, once, in each direction's table.
[[ $(grep -c "per family" $runs/summary.md) == 2 ]] || fail "summary.md should hold a per-family table per direction"
tests=$(find res/dataset-64-8-seed1/test/pattern -name '*.npy' | wc -l)
pooled=$(awk -F'|' '/per family/ {on = 1} on && $5 ~ /^ *[0-9]+ *$/ {s += $5} END {print s + 0}' $runs/summary.md)
[[ $pooled == $((2 * 2 * tests)) ]] || fail "the per-family tables count $pooled images, not 2 directions x 2 seeds x $tests"
grep -q '"per_family"' $runs/summary.json || fail "summary.json lacks the per-family scores"

# The same command again resumes: no sample recomputed, every training run picked up where it ended.
before=$(find res -name '*.npy' -printf '%p %T@\n' | sort)
output=$("$lacbed" pipeline "${tiny[@]}" 2>&1) || fail "the resumed pipeline failed: $output"
[[ $output == *"8 already done, computing 0"* ]] || fail "the resumed pipeline recomputed samples: $output"
[[ $(grep -c "resuming from" <<< "$output") == 4 ]] || fail "the resumed pipeline did not resume all four runs: $output"
[[ $(find res -name '*.npy' -printf '%p %T@\n' | sort) == "$before" ]] || fail "a resumed pipeline rewrote samples"

# Ctrl-C in training: a checkpoint, status 130, and the same command finishes the job from there.
"$lacbed" pipeline --output res --count 8 --epochs 100 --decay-epochs 0 --seeds 3 > interrupted.log 2>&1 &
pid=$!
for ((i = 0; i < 600; ++i)); do grep -q "lacbed train: 6 pairs" interrupted.log && break; sleep 0.1; done
sleep 0.5
kill -INT $pid
wait $pid
status=$?
[[ $status == 130 ]] || fail "an interrupted pipeline exited $status, not 130: $(cat interrupted.log)"
grep -q "run the same command again to resume" interrupted.log || fail "an interrupted pipeline did not say how to resume"
[[ -s $runs/structure-to-pattern-seed3/checkpoint.safetensors ]] || fail "an interrupted pipeline left no checkpoint"
expect 0 "resuming from" "$lacbed" pipeline --output res --count 8 --epochs 100 --decay-epochs 0 --seeds 3

expect 2 "was trained with" "$lacbed" pipeline --output res --count 8 --epochs 2 --decay-epochs 0 --seeds 1

expect 2 "--direction is structure-to-pattern" "$lacbed" pipeline --output bad --direction sideways
expect 2 "unet6-16-64-d16 takes 64x64 images, not --size 128" "$lacbed" pipeline --output bad --size 128
expect 2 "--seeds needs at least one seed" "$lacbed" pipeline --output bad --seeds ,
[[ ! -e bad ]] || fail "a refused pipeline created its output folder"

# The embedding example: load the trained model, predict GaAs, simulate it, compare.
expect 0 "% of the simulation" "$embedding" $runs/structure-to-pattern-seed1/generator.safetensors --out emb.png
[[ -s emb.png ]] || fail "the embedding example wrote no comparison image"
expect 1 "no such file" "$embedding" missing.safetensors

if "$lacbed" prepare --runs /dev/null --output none 2>&1 | grep -q "without gemmi"; then
  echo "lacbed was built without gemmi: prepare not tested"
  if ((failures)); then echo "$failures failure(s)"; exit 1; fi
  exit 0
fi

# prepare: two Felix-style run folders (felix.cif, felix.inp, <Formula>_Sim_0450A_64x64/<Formula>_+0+0+0.bin),
# their discs made by lacbed simulate --bin with a small beam pool.
cp "$here/nacl.cif" .
cat > felix.inp <<'INP'
IAbsorbFLAG = 1
IPixelCount = 32
IMinReflectionPool = 20
IMinStrongBeams = 10
IMinWeakBeams = 0
RgLimit = 0.9
RDebyeWallerConstant = 0.5
RAbsorptionPer = 5
ROuterConvergenceAngle = 0.5
IIncidentBeamDirection = [0,0,1]
IXDirection = [1,0,0]
RAcceleratingVoltage (kV) = 200.0
RInitialThickness = 450
RFinalThickness = 450
RDeltaThickness = 10
INP
expect 0 "8 atoms" "$lacbed" simulate --cif nacl.cif --size 64 --g-max 0.9 --output sim/disc.npy --bin --no-png
for run in nacl_a nacl_b; do
  mkdir -p felix/$run/NaCl_Sim_0450A_64x64
  cp nacl.cif felix/$run/felix.cif
  cp felix.inp felix/$run/felix.inp
  cp sim/disc_450A.bin felix/$run/NaCl_Sim_0450A_64x64/NaCl_+0+0+0.bin
done
expect 0 "wrote 2 pairs of 64x64 images" "$lacbed" prepare --runs felix --output pairs
for kind in structure pattern; do
  for run in nacl_a nacl_b; do grep -aq "'shape': (64,64)" pairs/$kind/$run.npy || fail "pairs/$kind/$run.npy is not 64x64"; done
done
expect 0 "done" "$lacbed" train --inputs pairs/structure --targets pairs/pattern --output felix_run --epochs 1 --decay-epochs 0

# Images outside 0..1 (raw intensities, another scale) are refused, not silently trained on.
# A 64x64 float32 .npy of 5.0, written byte by byte.
npy_of_fives() {
  local header="{'descr': '<f4', 'fortran_order': False, 'shape': (64, 64), }"
  while (( (10 + ${#header} + 1) % 64 )); do header+=" "; done
  { printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $(( (${#header} + 1) % 256 )))\\x$(printf %02x $(( (${#header} + 1) / 256 )))";
    printf '%s\n' "$header"; for ((i = 0; i < 4096; ++i)); do printf '\x00\x00\xa0\x40'; done; } > "$1"
}
npy_of_fives fives.npy
expect 1 "holds values from 5.000000 to 5.000000, not 0..1" "$lacbed" predict --model felix_run/generator.safetensors \
  --input fives.npy --output x.npy
# A run without its disc is named, as is a choice of thickness left open.
mkdir -p felix_missing/empty && cp nacl.cif felix_missing/empty/felix.cif
expect 1 "holds no Felix (000) disc" "$lacbed" prepare --runs felix_missing --output bad_pairs
cp -r felix/nacl_a/NaCl_Sim_0450A_64x64 felix/nacl_a/NaCl_Sim_0900A_64x64
expect 1 "choose one with --thickness" "$lacbed" prepare --runs felix --output bad_pairs
expect 0 "wrote 2 pairs" "$lacbed" prepare --runs felix --output pairs450 --thickness 450
sed -e 's/= \[0,0,1\]/= [1,1,0]/' -e 's/IXDirection = \[1,0,0\]/IXDirection = [0,0,1]/' felix.inp > felix/nacl_b/felix.inp
expect 1 "only such runs can be used" "$lacbed" prepare --runs felix --output bad_pairs --thickness 450

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "pipeline, prepare and embedding test passed"
