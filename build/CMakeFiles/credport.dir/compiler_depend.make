# Empty compiler generated dependencies file for credport.
# This may be replaced when dependencies are built.
