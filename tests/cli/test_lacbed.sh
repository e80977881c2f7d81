#!/usr/bin/env bash
# The lacbed command-line tool as a user meets it: a short training run, predictions, an
# evaluation, and every kind of bad input getting one clear line and a non-zero exit status
# without touching files already on disk.
#   test_lacbed.sh LACBED MAKE_PAIRS WORKDIR
set -u
lacbed=$1 make_pairs=$2 work=$3
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/expect.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

"$make_pairs" data 4 64 || exit 1
"$make_pairs" small 1 32 || exit 1

for command in train predict evaluate; do expect 0 "usage: lacbed $command" "$lacbed" $command --help; done
expect 2 "usage: lacbed <command>" "$lacbed"
expect 2 "unknown command" "$lacbed" fly
expect 2 "--targets is required" "$lacbed" train --inputs data/inputs --output run
expect 2 "unknown option --epoch" "$lacbed" train --inputs data/inputs --targets data/targets --output run --epoch 3
expect 2 "must be a whole number" "$lacbed" train --inputs data/inputs --targets data/targets --output run --epochs x
expect 1 "unknown configuration" "$lacbed" train --inputs data/inputs --targets data/targets --output run --config big

expect 0 "done" "$lacbed" train --inputs data/inputs --targets data/targets --output run --epochs 1 --decay-epochs 1 \
  --config unet6-16-64 --checkpoint-every 3
for f in checkpoint.safetensors generator.safetensors losses.csv losses.png; do [[ -s run/$f ]] || fail "run/$f missing"; done
[[ $(wc -l < run/losses.csv) == 9 ]] || fail "losses.csv should hold a header and 8 rows"
expect 1 "pass --resume" "$lacbed" train --inputs data/inputs --targets data/targets --output run
# bfloat16 Adam moments: trains, checkpoints them as BF16, and resumes.
expect 2 "--adam-moments is full or bfloat16" "$lacbed" train --inputs data/inputs --targets data/targets \
  --output run16 --adam-moments half
expect 0 "done" "$lacbed" train --inputs data/inputs --targets data/targets --output run16 --epochs 1 --decay-epochs 0 \
  --adam-moments bfloat16
expect 0 "resuming" "$lacbed" train --inputs data/inputs --targets data/targets --output run16 --epochs 1 \
  --decay-epochs 1 --adam-moments bfloat16 --resume
[[ $(wc -l < run16/losses.csv) == 9 ]] || fail "run16/losses.csv should hold a header and 8 rows after the resume"

expect 0 "4 predictions" "$lacbed" predict --model run/generator.safetensors --input data/inputs --output pred
[[ $(ls pred | wc -l) == 4 ]] || fail "pred/ should hold 4 predictions"
expect 0 "" "$lacbed" predict --model run/checkpoint.safetensors --input data/inputs/p00.npy --output one.png --eval
[[ -s one.png ]] || fail "one.png missing"
expect 0 "MSE  model mean" "$lacbed" evaluate --model run/generator.safetensors --inputs data/inputs \
  --targets data/targets --output metrics.json --grid grid.png --grid-rows 3
grep -q '"baseline_scores"' metrics.json || fail "metrics.json lacks the baseline"
[[ -s grid.png ]] || fail "grid.png missing"
# The same scores with bfloat16 convolutions (gan::Autocast): close to float32's, not equal.
expect 0 "MSE  model mean" "$lacbed" evaluate --model run/generator.safetensors --inputs data/inputs \
  --targets data/targets --output metrics16.json --bf16
python3 - metrics.json metrics16.json <<'PY' || fail "evaluate --bf16: the MSE moved too far, or not at all"
import json, sys
f32, b16 = (json.load(open(p))["model_scores"]["mse"]["mean"] for p in sys.argv[1:])
print(f"evaluate: mean MSE float32 {f32:.6g}, bfloat16 convolutions {b16:.6g}")
sys.exit(0 if f32 != b16 and abs(b16 - f32) <= 0.05 * f32 + 1e-5 else 1)
PY
# The same in the widened arithmetic, which machines without AMX tiles take; lacbed says so.
expect 0 "as float FMAs on widened values" env GAN_BF16_ARITHMETIC=widened "$lacbed" evaluate \
  --model run/generator.safetensors --inputs data/inputs --targets data/targets --output metrics16w.json --bf16
python3 - metrics.json metrics16w.json <<'PY' || fail "evaluate --bf16, widened: the MSE moved too far, or not at all"
import json, sys
f32, b16 = (json.load(open(p))["model_scores"]["mse"]["mean"] for p in sys.argv[1:])
print(f"evaluate: mean MSE float32 {f32:.6g}, bfloat16 convolutions widened {b16:.6g}")
sys.exit(0 if f32 != b16 and abs(b16 - f32) <= 0.05 * f32 + 1e-5 else 1)
PY
# Training under gan::Autocast (--bf16): the same run's model scores close to float32's, not equal.
expect 0 "done" "$lacbed" train --inputs data/inputs --targets data/targets --output runbf16 --epochs 1 \
  --decay-epochs 1 --config unet6-16-64 --checkpoint-every 3 --bf16
expect 0 "MSE  model mean" "$lacbed" evaluate --model runbf16/generator.safetensors --inputs data/inputs \
  --targets data/targets --output metrics_trained16.json
python3 - metrics.json metrics_trained16.json <<'PY' || fail "train --bf16: the model's MSE moved too far, or not at all"
import json, sys
f32, b16 = (json.load(open(p))["model_scores"]["mse"]["mean"] for p in sys.argv[1:])
print(f"evaluate: mean MSE trained in float32 {f32:.6g}, with bfloat16 products {b16:.6g}")
sys.exit(0 if f32 != b16 and abs(b16 - f32) <= 0.1 * f32 + 1e-5 else 1)
PY

# Bad inputs: one line, non-zero, nothing overwritten.
echo keep > keep.npy
expect 1 "does not exist" "$lacbed" predict --model run/generator.safetensors --input nothing.npy --output keep.npy
expect 1 "but the model takes 64x64" "$lacbed" predict --model run/generator.safetensors --input small/inputs/p00.npy --output keep.npy
[[ $(cat keep.npy) == keep ]] || fail "a failed predict overwrote keep.npy"
head -c 300 run/generator.safetensors > truncated.safetensors
expect 1 "truncated" "$lacbed" predict --model truncated.safetensors --input data/inputs/p00.npy --output keep.npy
expect 1 "not a valid safetensors" "$lacbed" predict --model run/losses.csv --input data/inputs/p00.npy --output keep.npy
expect 1 "no such file" "$lacbed" predict --model missing.safetensors --input data/inputs/p00.npy --output keep.npy
[[ $(cat keep.npy) == keep ]] || fail "a failed predict overwrote keep.npy"
expect 1 "has no target named" "$lacbed" evaluate --model run/generator.safetensors --inputs data/inputs --targets small/targets

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "lacbed command-line test passed"
