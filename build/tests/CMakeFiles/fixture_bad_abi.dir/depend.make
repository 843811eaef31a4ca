# Empty dependencies file for fixture_bad_abi.
# This may be replaced when dependencies are built.
