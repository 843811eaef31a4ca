# Empty dependencies file for fixture_failing_init.
# This may be replaced when dependencies are built.
