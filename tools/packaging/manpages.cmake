# Writes credport.1 and credport-COMMAND.1 for every command listed by
# `credport --help` into OUT, with help2man (each page is that command's
# --help text). Run by the build: cmake -DCREDPORT=... -DOUT=... -DVERSION=...
# -DSEE_ALSO=... -P manpages.cmake
find_program(HELP2MAN help2man)
if(NOT HELP2MAN)
  message(FATAL_ERROR "help2man is needed for the man pages (tools/setup installs it)")
endif()
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/bin)
execute_process(COMMAND ${CREDPORT} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "credport --help failed (${rc})")
endif()

function(cp_man prog name page)
  execute_process(
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${VERSION}
            --section=1 --manual=credport --source=credport --name=${name}
            --include=${SEE_ALSO} --output=${OUT}/${page}.1 ${prog}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "help2man ${page}: ${err}")
  endif()
endfunction()

cp_man(${CREDPORT} "signed, replicated ledger of educator micro-credentials" credport)

string(REPLACE "\n" ";" lines "${help}")
set(in_commands FALSE)
set(count 0)
foreach(line IN LISTS lines)
  if(line STREQUAL "commands:")
    set(in_commands TRUE)
  elseif(in_commands AND line MATCHES "^  ([a-z][a-z0-9-]*) +(.+)$")
    set(cmd ${CMAKE_MATCH_1})
    set(summary ${CMAKE_MATCH_2})
    set(wrapper ${OUT}/bin/credport-${cmd})
    file(WRITE ${wrapper} "#!/bin/sh\nexec \"${CREDPORT}\" ${cmd} \"$@\"\n")
    file(CHMOD ${wrapper} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
         GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    cp_man(${wrapper} "${summary}" credport-${cmd})
    math(EXPR count "${count} + 1")
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no commands found in `credport --help`")
endif()
file(REMOVE_RECURSE ${OUT}/bin)
