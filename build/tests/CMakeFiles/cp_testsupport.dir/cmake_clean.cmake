file(REMOVE_RECURSE
  "CMakeFiles/cp_testsupport.dir/support/cptest.c.o"
  "CMakeFiles/cp_testsupport.dir/support/cptest.c.o.d"
  "libcp_testsupport.a"
  "libcp_testsupport.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/cp_testsupport.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
