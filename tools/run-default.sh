#!/bin/sh
# tools/run-default.sh - set up, build, generate the bundled default model
# (CNV-w2a2 with seeded weights) and run the default recipe on it.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh
sh tools/build.sh build
mkdir -p out
./build/bin/finn-gen cnv --wbits 2 --abits 2 --seed 1 -o out/cnv_w2a2.onnx
./build/bin/finn-run recipes/default.yaml
echo "reports and models are in out/default/ (time_per_step.json, intermediate_models/)"
