file(REMOVE_RECURSE
  "CMakeFiles/cp_crypto.dir/crypto/error.c.o"
  "CMakeFiles/cp_crypto.dir/crypto/error.c.o.d"
  "libcp_crypto.a"
  "libcp_crypto.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/cp_crypto.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
