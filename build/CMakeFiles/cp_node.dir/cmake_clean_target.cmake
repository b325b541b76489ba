file(REMOVE_RECURSE
  "libcp_node.a"
)
