file(REMOVE_RECURSE
  "CMakeFiles/cp_node.dir/node/store.c.o"
  "CMakeFiles/cp_node.dir/node/store.c.o.d"
  "libcp_node.a"
  "libcp_node.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/cp_node.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
