# The .deb packages an SRE installs (scripts/package builds them with CPack):
#   steer        steerd + steerctl, steerd.service/.socket, /etc/steer/policy.yaml
#   steer-authd  steer-authd, steer-authd.service/.socket, /etc/steer/authd.yaml
# Install layout (also for a plain `cmake --install`): binaries in <prefix>/bin, units in
# /lib/systemd/system, conffiles in /etc/steer, docs and examples in <prefix>/share/doc/<pkg>.
# The units use DynamicUser=, so no sysusers.d/tmpfiles.d entry is needed: systemd allocates
# the user at start and creates the state directory (StateDirectory=).
set(STEER_DEB_DIR ${PROJECT_SOURCE_DIR}/packaging/deb)
set(STEER_DEB_OUT ${PROJECT_BINARY_DIR}/deb)
set(STEER_DEB_MAINTAINER "Steer maintainers <maintainers@users.noreply.r-seed-43e268f3.example>")
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Man pages from --help and --version (help2man), built with the binaries (not in the sanitizer
# tree, which is never packaged).
find_program(STEER_HELP2MAN help2man)
set(STEER_MAN_PAGES)
if(STEER_SANITIZE)
  set(STEER_HELP2MAN "")
endif()
if(STEER_HELP2MAN)
  foreach(pair "steerd|Steer multi-region failover agent"
               "steerctl|Steer operator command line"
               "steer-authd|Steer OpenID Connect provider")
    string(REPLACE "|" ";" pair "${pair}")
    list(GET pair 0 prog)
    list(GET pair 1 summary)
    set(page ${STEER_DEB_OUT}/man/${prog}.1)
    # FILES and SEE ALSO from packaging/deb/man/<prog>.h2m; steer-authd's admin commands from
    # `steer-authd admin --help`.
    set(include ${STEER_DEB_DIR}/man/${prog}.h2m)
    set(extra)
    if(prog STREQUAL "steer-authd")
      set(include ${STEER_DEB_OUT}/man/steer-authd.h2m)
      set(extra COMMAND sh ${STEER_DEB_DIR}/man/authd-admin-h2m.sh $<TARGET_FILE:steer-authd>
                ${STEER_DEB_DIR}/man/steer-authd.h2m ${include})
    endif()
    add_custom_command(OUTPUT ${page}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${STEER_DEB_OUT}/man
      ${extra}
      COMMAND ${STEER_HELP2MAN} --no-info --no-discard-stderr --section=1 "--name=${summary}"
              --include=${include} --output=${page} $<TARGET_FILE:${prog}>
      COMMAND gzip -9nf ${page}
      DEPENDS ${prog} ${STEER_DEB_DIR}/man/${prog}.h2m ${STEER_DEB_DIR}/man/authd-admin-h2m.sh
      VERBATIM)
    list(APPEND STEER_MAN_PAGES ${page}.gz)
  endforeach()
  add_custom_target(steer_man ALL DEPENDS ${STEER_MAN_PAGES})
elseif(NOT STEER_SANITIZE)
  message(WARNING "help2man not found: no man pages (scripts/setup installs it)")
endif()

set(STEER_PROJECT_VERSION ${PROJECT_VERSION})
# Full RELRO for the packaged binaries (lintian: hardening-no-bindnow); link-time only.
foreach(prog steerd steerctl steer-authd)
  target_link_options(${prog} PRIVATE -Wl,-z,relro -Wl,-z,now)
endforeach()

include(SteerDebChangelog)
steer_deb_changelogs(1)

# Component steer: the agent and its command line.
install(TARGETS steerd steerctl RUNTIME DESTINATION bin COMPONENT steer)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/steerd.service
              ${PROJECT_SOURCE_DIR}/packaging/steerd.socket
              ${PROJECT_SOURCE_DIR}/packaging/steerd-dns.socket
        DESTINATION /lib/systemd/system COMPONENT steer)
install(FILES ${PROJECT_SOURCE_DIR}/examples/login-powerdns.yaml
        DESTINATION /etc/steer RENAME policy.yaml COMPONENT steer)
file(GLOB STEER_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
list(REMOVE_ITEM STEER_DOCS ${PROJECT_SOURCE_DIR}/docs/auth-core.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${STEER_DOCS}
              ${PROJECT_SOURCE_DIR}/docs/policy.schema.json
        DESTINATION share/doc/steer COMPONENT steer)
file(GLOB STEER_EXAMPLES ${PROJECT_SOURCE_DIR}/examples/*.yaml)
install(FILES ${STEER_EXAMPLES} DESTINATION share/doc/steer/examples COMPONENT steer)

# Component authd: the OpenID Connect provider.
install(TARGETS steer-authd RUNTIME DESTINATION bin COMPONENT authd)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/steer-authd.service
              ${PROJECT_SOURCE_DIR}/packaging/steer-authd.socket
        DESTINATION /lib/systemd/system COMPONENT authd)
install(FILES ${PROJECT_SOURCE_DIR}/examples/authd/authd.yaml
        DESTINATION /etc/steer COMPONENT authd)
install(FILES ${PROJECT_SOURCE_DIR}/docs/auth-core.md
        DESTINATION share/doc/steer-authd COMPONENT authd)
install(FILES ${PROJECT_SOURCE_DIR}/examples/authd/authd.yaml
        DESTINATION share/doc/steer-authd/examples COMPONENT authd)

# Per package: man pages, copyright, changelog, lintian overrides, control files.
foreach(comp steer authd)
  if(comp STREQUAL "steer")
    set(pkg steer)
    set(progs steerd steerctl)
    set(services steerd.service)
    set(sockets steerd.socket)
    set(statedir steer)
    set(conffiles /etc/steer/policy.yaml)
  else()
    set(pkg steer-authd)
    set(progs steer-authd)
    set(services steer-authd.service)
    set(sockets steer-authd.socket)
    set(statedir steer-authd)
    set(conffiles /etc/steer/authd.yaml)
  endif()
  if(STEER_HELP2MAN)
    list(TRANSFORM progs PREPEND ${STEER_DEB_OUT}/man/ OUTPUT_VARIABLE pages)
    list(TRANSFORM pages APPEND .1.gz)
    install(FILES ${pages} DESTINATION share/man/man1 COMPONENT ${comp})
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/sysusers.d/${pkg}.conf
          DESTINATION lib/sysusers.d COMPONENT ${comp})
  install(FILES ${STEER_DEB_DIR}/copyright ${STEER_DEB_OUT}/${pkg}/changelog.Debian.gz
          DESTINATION share/doc/${pkg} COMPONENT ${comp})
  if(EXISTS ${STEER_DEB_DIR}/${pkg}.lintian-overrides)
    install(FILES ${STEER_DEB_DIR}/${pkg}.lintian-overrides DESTINATION share/lintian/overrides
            RENAME ${pkg} COMPONENT ${comp})
  endif()
  set(PKG ${pkg})
  set(SERVICES ${services})
  set(SOCKETS ${sockets})
  set(STATEDIR ${statedir})
  set(control ${STEER_DEB_OUT}/${pkg}/control)
  foreach(script postinst prerm postrm)
    configure_file(${STEER_DEB_DIR}/${script}.in ${control}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                   GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  list(JOIN conffiles "\n" conffiles_text)
  file(WRITE ${control}/conffiles "${conffiles_text}\n")
  string(TOUPPER ${comp} COMP)
  set(CPACK_DEBIAN_${COMP}_PACKAGE_NAME ${pkg})
  # postinst creates the service's user with systemd-sysusers; the units need systemd anyway.
  set(CPACK_DEBIAN_${COMP}_PACKAGE_DEPENDS systemd)
  set(CPACK_DEBIAN_${COMP}_PACKAGE_CONTROL_EXTRA
      ${control}/conffiles ${control}/postinst ${control}/prerm ${control}/postrm)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME steer)
set(CPACK_PACKAGE_VENDOR "Steer")
set(CPACK_PACKAGE_CONTACT "${STEER_DEB_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/packages)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL steer authd)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_COMPONENT_STEER_DESCRIPTION
    "multi-region failover agent and its command line\n\
steerd probes every region of a service, decides where traffic goes with a\n\
written policy, and steers DNS records there; steerctl validates policies,\n\
simulates them, and drives a running agent (status, drain, switchover).")
set(CPACK_COMPONENT_AUTHD_DESCRIPTION
    "OpenID Connect provider run identically in every region\n\
steer-authd is the login tier that Steer fails over between regions: an\n\
OpenID Connect provider with tenants, a SQLite or PostgreSQL store, and\n\
restarts without refused connections through socket activation.")
# At cpack time: the Debian revision from STEER_DEB_RELEASE, and changelogs that name it.
configure_file(${PROJECT_SOURCE_DIR}/cmake/SteerCPackProject.cmake.in
               ${PROJECT_BINARY_DIR}/SteerCPackProject.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/SteerCPackProject.cmake)
include(CPack)
