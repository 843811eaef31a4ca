# Empty dependencies file for fixture_good_steps.
# This may be replaced when dependencies are built.
