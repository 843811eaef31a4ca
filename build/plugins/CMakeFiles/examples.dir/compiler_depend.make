# Empty compiler generated dependencies file for examples.
# This may be replaced when dependencies are built.
