file(REMOVE_RECURSE
  "../test-fixtures/good_steps.pdb"
  "../test-fixtures/good_steps.so"
  "CMakeFiles/fixture_good_steps.dir/fixtures/plugins/good_steps.c.o"
  "CMakeFiles/fixture_good_steps.dir/fixtures/plugins/good_steps.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fixture_good_steps.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
