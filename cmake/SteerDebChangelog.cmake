# steer_deb_changelogs(RELEASE): writes <build>/deb/<pkg>/changelog.Debian.gz for both packages,
# naming version PROJECT_VERSION-RELEASE. Called at configure time (revision 1, so a plain
# `cmake --install` finds the files) and again by cpack with the revision being packaged.
function(steer_deb_changelogs release)
  string(TIMESTAMP DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
  set(DEB_RELEASE ${release})
  set(DEB_VERSION ${STEER_PROJECT_VERSION}-${release})
  set(PROJECT_VERSION ${STEER_PROJECT_VERSION})
  set(DEB_MAINTAINER "${STEER_DEB_MAINTAINER}")
  foreach(DEB_PACKAGE steer steer-authd)
    set(out ${STEER_DEB_OUT}/${DEB_PACKAGE}/changelog.Debian)
    configure_file(${STEER_DEB_DIR}/changelog.in ${out} @ONLY)
    execute_process(COMMAND gzip -9nf ${out} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gzip ${out} failed")
    endif()
  endforeach()
endfunction()
