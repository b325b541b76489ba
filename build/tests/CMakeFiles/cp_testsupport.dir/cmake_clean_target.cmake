file(REMOVE_RECURSE
  "libcp_testsupport.a"
)
