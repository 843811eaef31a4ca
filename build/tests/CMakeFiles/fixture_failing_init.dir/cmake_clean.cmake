file(REMOVE_RECURSE
  "../test-fixtures/failing_init.pdb"
  "../test-fixtures/failing_init.so"
  "CMakeFiles/fixture_failing_init.dir/fixtures/plugins/failing_init.c.o"
  "CMakeFiles/fixture_failing_init.dir/fixtures/plugins/failing_init.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fixture_failing_init.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
