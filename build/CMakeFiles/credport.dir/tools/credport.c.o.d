CMakeFiles/credport.dir/tools/credport.c.o: /work/main/tools/credport.c \
 /usr/include/stdc-predef.h
