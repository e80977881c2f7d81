#!/usr/bin/env bash
# `lacbed dataset` and `lacbed simulate` as a user meets them: a tiny dataset, a resumed rerun that
# recomputes nothing (and only what was lost), reproducibility across thread counts, single
# simulations from flags and from a felix.inp, and bad input getting one line and a non-zero exit.
#   test_dataset.sh LACBED WORKDIR
set -u
lacbed=$1 work=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/expect.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
count_files() { find "$@" -type f | wc -l; }

for command in dataset simulate; do expect 0 "usage: lacbed $command" "$lacbed" $command --help; done

# Six 32x32 samples with a small pool, so the test takes seconds.
small=(--count 6 --size 32 --g-max 3.5 --seed 3 --split 0.5,0.25,0.25 --previews 2)
expect 0 "0 already done, computing 6" "$lacbed" dataset --output ds "${small[@]}"
for kind in structure pattern intensity; do
  [[ $(count_files ds/*/$kind -name '*.npy') == 6 ]] || fail "ds/*/$kind should hold 6 .npy files"
done
[[ $(count_files ds/previews -name '*.png') == 4 ]] || fail "ds/previews should hold 2 structure and 2 pattern PNGs"
[[ $(grep -c '"id"' ds/manifest.json) == 6 ]] || fail "manifest.json should list 6 samples"
grep -q '"thickness": 450' ds/manifest.json || fail "manifest.json lacks the thickness"
for split in train val test; do
  diff <(ls ds/$split/structure) <(ls ds/$split/pattern) > /dev/null || fail "$split: structure and pattern names differ"
done
# No formula in two splits: the formula is the id after the index.
dupes=$(for split in train val test; do ls ds/$split/pattern | sed 's/^[0-9]*_//' | sort -u; done | sort | uniq -d)
[[ -z $dupes ]] || fail "formulas in more than one split: $dupes"

# Resume: the same command recomputes nothing and leaves every file untouched.
before=$(find ds -name '*.npy' -printf '%p %T@\n' | sort)
expect 0 "6 already done, computing 0" "$lacbed" dataset --output ds "${small[@]}"
[[ $(find ds -name '*.npy' -printf '%p %T@\n' | sort) == "$before" ]] || fail "a resumed run rewrote finished samples"
# A lost file and a truncated one (a crash outside the atomic rename) are recomputed, nothing else.
lost=$(find ds -path '*/pattern/*.npy' | sort | head -1)
cut=$(find ds -path '*/structure/*.npy' | sort | tail -1)
rm "$lost"
head -c 100 "$cut" > truncated && cat truncated > "$cut"
touch ds/train/pattern/.000000_X.npy.tmp.99999
expect 0 "4 already done, computing 2" "$lacbed" dataset --output ds "${small[@]}"
[[ -s $lost ]] || fail "the lost sample was not recomputed"
[[ ! -e ds/train/pattern/.000000_X.npy.tmp.99999 ]] || fail "a stale temporary file was left behind"
expect 1 "made with other flags (--thickness" "$lacbed" dataset --output ds "${small[@]}" --thickness 300
# A manifest from before --sampling existed (no such key) was drawn family by family: the default
# (composition) is refused with the flag to pass.
cp -r ds ds_old && sed -i '/"sampling":/d' ds_old/manifest.json
expect 1 '--sampling is "family" there and "composition" here' "$lacbed" dataset --output ds_old "${small[@]}"
expect 2 "--sampling must be composition" "$lacbed" dataset --output ds_bad "${small[@]}" --sampling uniform

# Ctrl-C in the middle leaves only complete samples; the rerun finishes the rest.
"$lacbed" dataset --output ds_int "${small[@]}" > /dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid 2> /dev/null
wait $pid 2> /dev/null
expect 0 "6 samples" "$lacbed" dataset --output ds_int "${small[@]}"
for f in $(cd ds && find . -name '*.npy'); do cmp -s "ds/$f" "ds_int/$f" || fail "$f differs after an interrupted run"; done
[[ -z $(find ds_int -name '.*.tmp.*') ]] || fail "temporaries left after resuming an interrupted run"

# The output does not depend on the number of threads.
expect 0 "computing 6" "$lacbed" dataset --output ds1 "${small[@]}" --threads 1
for f in $(cd ds && find . -name '*.npy'); do cmp -s "ds/$f" "ds1/$f" || fail "$f differs between 1 thread and all"; done

# Bad dataset flags.
expect 1 "thickness must be > 0" "$lacbed" dataset --output bad --count 2 --thickness 0
expect 1 "even number of pixels" "$lacbed" dataset --output bad --count 2 --size 31
expect 1 "unknown prototype family 'wurtzite'" "$lacbed" dataset --output bad --count 2 --families wurtzite
expect 2 "--split takes three fractions" "$lacbed" dataset --output bad --count 2 --split 0.5,0.5
expect 1 "must add up to 1" "$lacbed" dataset --output bad --count 2 --split 0.5,0.5,0.5
expect 2 "--absorption must be none" "$lacbed" dataset --output bad --count 2 --absorption lots
expect 2 "--count is required" "$lacbed" dataset --output bad

# A lacbed built without gemmi cannot read CIFs and says so; the simulate checks then do not apply.
if "$lacbed" simulate --cif /dev/null --output none.npy 2>&1 | grep -q "without gemmi"; then
  echo "lacbed was built without gemmi: simulate not tested"
  if ((failures)); then echo "$failures failure(s)"; exit 1; fi
  exit 0
fi

# simulate, from flags: rock salt from tests/cli/nacl.cif.
cp "$here/nacl.cif" .
expect 0 "8 atoms in the cell" "$lacbed" simulate --cif nacl.cif --thickness 200,600 --size 16 --g-max 1.2 \
  --output out/disc.npy --bin
for f in out/disc_200A.png out/disc_600A.png; do [[ -s $f ]] || fail "$f missing"; done
[[ $(stat -c %s out/disc_200A.bin) == 2048 ]] || fail "out/disc_200A.bin should hold 16x16 float64"
size=$(stat -c %s out/disc.npy)
((size > 4096 && size <= 4096 + 256)) || fail "out/disc.npy should hold 2x16x16 float64, has $size bytes"
grep -aq "'shape': (2,16,16)" out/disc.npy || fail "out/disc.npy should have shape (2, 16, 16)"

# simulate, from a felix.inp written here (keys as Felix v1.3 names them).
cat > felix.inp <<'EOF'
# test input
IAbsorbFLAG = 1
IPixelCount = 4
IMinReflectionPool = 20
IMinStrongBeams = 10
IMinWeakBeams = 0
RgLimit = 1.2
RDebyeWallerConstant = 0.5
RAbsorptionPer = 5
ROuterConvergenceAngle = 0.3
IIncidentBeamDirection = [0,0,1]
IXDirection = [1,0,0]
RAcceleratingVoltage (kV) = 200.0
RInitialThickness = 100
RFinalThickness = 300
RDeltaThickness = 100
EOF
expect 0 "3 thickness(es)" "$lacbed" simulate --felix-inp felix.inp --cif nacl.cif --output felix/disc.npy --no-png
grep -aq "'shape': (3,8,8)" felix/disc.npy || fail "felix/disc.npy should have shape (3, 8, 8)"
[[ $(count_files felix -name '*.png') == 0 ]] || fail "--no-png wrote PNGs"

# Bad simulate input: one line, non-zero, nothing written.
sed 's/Cl1 Cl/Xx1 Xx/' nacl.cif > unknown.cif
printf 'data_broken\nloop_\n_atom_site_label\n"unterminated\n' > broken.cif
expect 1 "unknown element symbol 'Xx'" "$lacbed" simulate --cif unknown.cif --output bad.npy
expect 1 "CIF" "$lacbed" simulate --cif broken.cif --output bad.npy
expect 1 "does not exist" "$lacbed" simulate --cif missing.cif --output bad.npy
expect 1 "thickness must be > 0" "$lacbed" simulate --cif nacl.cif --thickness 200,-5 --output bad.npy
expect 1 "not perpendicular" "$lacbed" simulate --cif nacl.cif --zone 0,0,1 --x-direction 1,0,1 --output bad.npy
expect 2 "cannot be combined with --felix-inp" "$lacbed" simulate --felix-inp felix.inp --cif nacl.cif --size 8 --output bad.npy
expect 2 "must name a .npy" "$lacbed" simulate --cif nacl.cif --output bad.txt
expect 1 "cannot open felix.inp" "$lacbed" simulate --felix-inp nowhere.inp --cif nacl.cif --output bad.npy
[[ ! -e bad.npy ]] || fail "a failed simulate wrote bad.npy"
for line in $("$lacbed" simulate --cif unknown.cif --output bad.npy 2>&1 | wc -l); do
  [[ $line == 1 ]] || fail "an error took $line lines, not one"
done

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "lacbed dataset/simulate command-line test passed"
