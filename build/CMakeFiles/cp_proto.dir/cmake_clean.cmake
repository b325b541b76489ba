file(REMOVE_RECURSE
  "CMakeFiles/cp_proto.dir/proto/date.c.o"
  "CMakeFiles/cp_proto.dir/proto/date.c.o.d"
  "libcp_proto.a"
  "libcp_proto.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/cp_proto.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
