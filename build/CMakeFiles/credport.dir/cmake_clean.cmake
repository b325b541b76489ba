file(REMOVE_RECURSE
  "CMakeFiles/credport.dir/tools/credport.c.o"
  "CMakeFiles/credport.dir/tools/credport.c.o.d"
  "credport"
  "credport.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/credport.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
