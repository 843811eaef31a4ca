# Empty compiler generated dependencies file for finn-run.
# This may be replaced when dependencies are built.
