file(REMOVE_RECURSE
  "../test-fixtures/dup_step.pdb"
  "../test-fixtures/dup_step.so"
  "CMakeFiles/fixture_dup_step.dir/fixtures/plugins/dup_step.c.o"
  "CMakeFiles/fixture_dup_step.dir/fixtures/plugins/dup_step.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fixture_dup_step.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
