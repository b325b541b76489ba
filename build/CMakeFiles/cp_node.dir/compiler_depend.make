# Empty compiler generated dependencies file for cp_node.
# This may be replaced when dependencies are built.
