#!/bin/sh
# bench/run.sh - build optimised and run the benchmarks: reference-executor
# images/s on the generated CNV-w2a2 (QONNX as exported) at batch 1 and 100,
# and the milliseconds of the front-end steps (pre/post-proc, qonnx_to_finn,
# tidy_up, streamline) on the same model.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh >/dev/null
sh tools/build.sh build-bench -DCMAKE_BUILD_TYPE=Release
mkdir -p out
./build-bench/bin/finn-gen cnv --wbits 2 --abits 2 --seed 1 -o out/bench_cnv_w2a2.onnx
nproc | sed 's/^/cores: /'
./build-bench/bench/bench_exec out/bench_cnv_w2a2.onnx --images 100
./build-bench/bench/bench_frontend out/bench_cnv_w2a2.onnx --runs 20
# the whole CNV tutorial estimate flow (pre/post steps, estimate_only) in one
# finn-run process, model load to reports written
cp out/bench_cnv_w2a2.onnx out/cnv_w2a2.onnx
ls -l out/cnv_w2a2.onnx | awk '{printf "model file: %.1f MiB\n", $5 / 1048576}'
python3 bench/bench_flow.py ./build-bench/bin/finn-run recipes/default.yaml 21 \
    --output-dir out/bench_default
