# Empty dependencies file for fixture_dup_step.
# This may be replaced when dependencies are built.
