file(REMOVE_RECURSE
  "../test-fixtures/bad_abi.pdb"
  "../test-fixtures/bad_abi.so"
  "CMakeFiles/fixture_bad_abi.dir/fixtures/plugins/bad_abi.c.o"
  "CMakeFiles/fixture_bad_abi.dir/fixtures/plugins/bad_abi.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fixture_bad_abi.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
