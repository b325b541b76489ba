# Empty dependencies file for cp_proto.
# This may be replaced when dependencies are built.
