file(REMOVE_RECURSE
  "../lib/finn-run/plugins/examples.pdb"
  "../lib/finn-run/plugins/examples.so"
  "CMakeFiles/examples.dir/examples/postproc.c.o"
  "CMakeFiles/examples.dir/examples/postproc.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/examples.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
