file(REMOVE_RECURSE
  "CMakeFiles/test_plugin.dir/core/test_plugin.c.o"
  "CMakeFiles/test_plugin.dir/core/test_plugin.c.o.d"
  "CMakeFiles/test_plugin.dir/testlib.c.o"
  "CMakeFiles/test_plugin.dir/testlib.c.o.d"
  "test_plugin"
  "test_plugin.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_plugin.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
