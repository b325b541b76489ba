CMakeFiles/cp_node.dir/node/store.c.o: /work/main/node/store.c \
 /usr/include/stdc-predef.h
