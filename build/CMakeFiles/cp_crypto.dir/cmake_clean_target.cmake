file(REMOVE_RECURSE
  "libcp_crypto.a"
)
