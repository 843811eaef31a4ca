file(REMOVE_RECURSE
  "../generated/onnx.pb-c.c"
  "../generated/onnx.pb-c.h"
  "../lib/libfinn.pdb"
  "../lib/libfinn.so"
  "../lib/libfinn.so.0"
  "../lib/libfinn.so.0.1.0"
  "CMakeFiles/finn.dir/__/generated/onnx.pb-c.c.o"
  "CMakeFiles/finn.dir/__/generated/onnx.pb-c.c.o.d"
  "CMakeFiles/finn.dir/src/builder.c.o"
  "CMakeFiles/finn.dir/src/builder.c.o.d"
  "CMakeFiles/finn.dir/src/error.c.o"
  "CMakeFiles/finn.dir/src/error.c.o.d"
  "CMakeFiles/finn.dir/src/plugin.c.o"
  "CMakeFiles/finn.dir/src/plugin.c.o.d"
  "CMakeFiles/finn.dir/src/registry.c.o"
  "CMakeFiles/finn.dir/src/registry.c.o.d"
  "CMakeFiles/finn.dir/src/transform_names.c.o"
  "CMakeFiles/finn.dir/src/transform_names.c.o.d"
  "CMakeFiles/finn.dir/src/transform_topk.c.o"
  "CMakeFiles/finn.dir/src/transform_topk.c.o.d"
  "CMakeFiles/finn.dir/src/util.c.o"
  "CMakeFiles/finn.dir/src/util.c.o.d"
  "CMakeFiles/finn.dir/src/verify.c.o"
  "CMakeFiles/finn.dir/src/verify.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/finn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
