# Empty dependencies file for cp_testsupport.
# This may be replaced when dependencies are built.
