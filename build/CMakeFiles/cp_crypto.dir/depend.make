# Empty dependencies file for cp_crypto.
# This may be replaced when dependencies are built.
