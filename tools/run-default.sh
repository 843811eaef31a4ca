#!/bin/sh
# tools/run-default.sh - set up, build, generate the bundled default model
# (CNV-w2a2 with seeded weights) and its sample input, and run the default
# recipe (the CNV tutorial's estimate flow) on it.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh
sh tools/build.sh build
mkdir -p out
./build/bin/finn-gen cnv --wbits 2 --abits 2 --seed 1 -o out/cnv_w2a2.onnx
# a sample input for the verification recipe: the corpus CIFAR-10 image when
# the shared corpus is beside the repository, else a seeded image
image=""
[ -f ../shared/corpus/finn/cifar10/cifar10-test-data-class3.npz ] &&
    image="--image ../shared/corpus/finn/cifar10/cifar10-test-data-class3.npz"
# shellcheck disable=SC2086
./build/bin/finn-gen --input-for cnv $image --raw --model out/cnv_w2a2.onnx \
    --expected out/cnv_w2a2_expected_top1.npy --top1 -o out/cnv_w2a2_input_raw.npy
rc=0
./build/bin/finn-run recipes/default.yaml || rc=$?
case $rc in
0) echo "run-default: done; reports and models are in out/default/" ;;
3) echo "run-default: finn-run ran every step it has (see above where it stopped);"
   echo "            models and time_per_step.json are in out/default/" ;;
*) exit $rc ;;
esac
