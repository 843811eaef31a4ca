file(REMOVE_RECURSE
  "../test-fixtures/no_symbol.pdb"
  "../test-fixtures/no_symbol.so"
  "CMakeFiles/fixture_no_symbol.dir/fixtures/plugins/no_symbol.c.o"
  "CMakeFiles/fixture_no_symbol.dir/fixtures/plugins/no_symbol.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fixture_no_symbol.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
