# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(test_plugin "/work/main/build/tests/test_plugin")
set_tests_properties(test_plugin PROPERTIES  ENVIRONMENT "FINN_SOURCE_DIR=/work/main;FINN_BUILD_DIR=/work/main/build;FINN_BIN_DIR=/work/main/build/bin;FINN_SHARED_DIR=/work/main/../shared;FINN_FIXTURE_DIR=/work/main/build/test-fixtures;FINN_PLUGIN_DIR=/work/main/build/lib/finn-run/plugins" SKIP_RETURN_CODE "77" WORKING_DIRECTORY "/work/main/build" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;37;add_test;/work/main/tests/CMakeLists.txt;0;")
