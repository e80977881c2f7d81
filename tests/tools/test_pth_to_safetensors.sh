#!/usr/bin/env bash
# Converts the committed reference .pth again and compares with the committed result, which the
# C++ parity test loads. Exit 77 (skipped) without Debian's python3-torch.
#   test_pth_to_safetensors.sh SOURCE_DIR WORKDIR
set -eu
source=$1 work=$2
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "python3-torch is not installed: skipped"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work"
fixtures=$source/tests/data/fixtures
/usr/bin/python3 "$source/tools/pth_to_safetensors.py" "$fixtures/reference_unet6.pth" "$work/converted.safetensors"
cmp "$work/converted.safetensors" "$fixtures/reference_unet6.safetensors"
# A file that is not a state_dict gets one line and a non-zero status, and no output.
if /usr/bin/python3 "$source/tools/pth_to_safetensors.py" "$fixtures/reference_unet6_eval.safetensors" \
   "$work/bad.safetensors" 2> "$work/err.txt"; then
  echo "a foreign file was converted"; exit 1
fi
grep -q "cannot read" "$work/err.txt"
[[ ! -e $work/bad.safetensors ]]
echo "pth_to_safetensors reproduces the committed conversion"
