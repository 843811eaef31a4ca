# Empty dependencies file for finn.
# This may be replaced when dependencies are built.
