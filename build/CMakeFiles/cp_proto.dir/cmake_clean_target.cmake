file(REMOVE_RECURSE
  "libcp_proto.a"
)
