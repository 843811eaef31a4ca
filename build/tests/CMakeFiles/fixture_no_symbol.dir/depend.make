# Empty dependencies file for fixture_no_symbol.
# This may be replaced when dependencies are built.
