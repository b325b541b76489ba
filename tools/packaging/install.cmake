# What `cmake --install` puts where (GNU layout under CMAKE_INSTALL_PREFIX):
#   bin/credport                      the command-line program
#   include/credport/*.h              the public C API
#   lib/libcredport.a, .so            crypto, proto and node layers in one library
#   lib/pkgconfig/credport.pc         for `pkg-config --cflags --libs credport`
#   share/man/man1/credport*.1        credport(1) and one page per command
#   lib/systemd/system/credport.service   a hardened unit (CP_SYSTEMD_UNIT_DIR)
#   lib/sysusers.d/credport.conf      the credport user it runs as (CP_SYSUSERS_DIR)
#   (etc is /etc when the prefix is /usr, as GNUInstallDirs says)
#   share/doc/credport/credport.env.example  the unit's environment file
include(GNUInstallDirs)

add_library(credport_static STATIC)
add_library(credport_shared SHARED)
foreach(lib credport_static credport_shared)
  target_link_libraries(${lib} PRIVATE cp_crypto_obj cp_proto_obj cp_policy_obj cp_node_obj)
  set_target_properties(${lib} PROPERTIES OUTPUT_NAME credport)
endforeach()
set_target_properties(credport_shared PROPERTIES
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})

set(CP_SYSTEMD_UNIT_DIR "lib/systemd/system"
    CACHE STRING "where `cmake --install` puts credport.service (relative: under the prefix)")
set(CP_SYSUSERS_DIR "lib/sysusers.d"
    CACHE STRING "where `cmake --install` puts the credport user's sysusers.d file")

# Man pages: credport(1) and credport-COMMAND(1) for every command that
# `credport --help` lists, made with help2man from each command's --help.
set(CP_MAN_DIR ${PROJECT_BINARY_DIR}/man)
add_custom_command(
  OUTPUT ${CP_MAN_DIR}/credport.1
  COMMAND ${CMAKE_COMMAND} -DCREDPORT=$<TARGET_FILE:credport> -DOUT=${CP_MAN_DIR}
          -DVERSION=${PROJECT_VERSION} -DSEE_ALSO=${CMAKE_CURRENT_LIST_DIR}/see-also.h2m
          -P ${CMAKE_CURRENT_LIST_DIR}/manpages.cmake
  DEPENDS credport ${CMAKE_CURRENT_LIST_DIR}/manpages.cmake ${CMAKE_CURRENT_LIST_DIR}/see-also.h2m
  COMMENT "Writing the man pages"
  VERBATIM)
add_custom_target(credport_man ALL DEPENDS ${CP_MAN_DIR}/credport.1)

install(TARGETS credport RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS credport_static credport_shared
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/credport
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${CP_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        FILES_MATCHING PATTERN "*.1")
# credport.pc and credport.service name installed paths: they are written at
# install time, for the prefix given then (`cmake --install --prefix P`).
install(CODE "
  set(CP_PKG_DIR \"${CMAKE_CURRENT_LIST_DIR}\")
  set(CP_VERSION \"${PROJECT_VERSION}\")
  set(CP_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(CP_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CP_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(CP_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(CP_UNITDIR \"${CP_SYSTEMD_UNIT_DIR}\")
  set(CP_SYSUSERSDIR \"${CP_SYSUSERS_DIR}\")
  include(\"${CMAKE_CURRENT_LIST_DIR}/install-config.cmake\")
")
install(FILES ${CMAKE_CURRENT_LIST_DIR}/credport.env
        DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME credport.env.example)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")
