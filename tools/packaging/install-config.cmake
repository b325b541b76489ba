# Run by `cmake --install` (install(CODE) in install.cmake): writes
# credport.pc and credport.service for the prefix being installed to, so a
# `--prefix` given at install time is the one they name.
function(cp_full var rel)
  if(IS_ABSOLUTE "${rel}")
    set(${var} "${rel}" PARENT_SCOPE)
  else()
    set(${var} "${CMAKE_INSTALL_PREFIX}/${rel}" PARENT_SCOPE)
  endif()
endfunction()
cp_full(CP_FULL_BINDIR "${CP_BINDIR}")
cp_full(CP_FULL_LIBDIR "${CP_LIBDIR}")
cp_full(CP_FULL_INCLUDEDIR "${CP_INCLUDEDIR}")
cp_full(CP_FULL_DOCDIR "${CP_DOCDIR}")
cp_full(CP_FULL_UNITDIR "${CP_UNITDIR}")
cp_full(CP_FULL_SYSUSERSDIR "${CP_SYSUSERSDIR}")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(CP_FULL_SYSCONFDIR "/etc")
else()
  set(CP_FULL_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(CP_PREFIX "${CMAKE_INSTALL_PREFIX}")

foreach(pair "credport.pc.in;${CP_FULL_LIBDIR}/pkgconfig/credport.pc"
             "credport.service.in;${CP_FULL_UNITDIR}/credport.service"
             "credport.sysusers;${CP_FULL_SYSUSERSDIR}/credport.conf")
  list(GET pair 0 in)
  list(GET pair 1 out)
  message(STATUS "Installing: $ENV{DESTDIR}${out}")
  configure_file("${CP_PKG_DIR}/${in}" "$ENV{DESTDIR}${out}" @ONLY)
endforeach()
