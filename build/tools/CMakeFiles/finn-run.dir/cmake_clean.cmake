file(REMOVE_RECURSE
  "../bin/finn-run"
  "../bin/finn-run.pdb"
  "CMakeFiles/finn-run.dir/finn-run/main.c.o"
  "CMakeFiles/finn-run.dir/finn-run/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/finn-run.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
