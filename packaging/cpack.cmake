# The Debian package (`cpack -G DEB` in a build directory): the binaries, meshops-health, man
# pages, completions, the systemd units of packaging/systemd, and the Prometheus rules and
# Icinga 2 CheckCommands under /usr/share/meshops.

# Units go where systemd.pc says (/lib/systemd/system on Debian 12); without systemd's pkg-config
# file, under the prefix. A user installing to a private prefix sets this to a relative path.
pkg_get_variable(MESHOPS_PC_SYSTEMD_UNITDIR systemd systemdsystemunitdir)
if(MESHOPS_PC_SYSTEMD_UNITDIR)
  set(meshops_default_unitdir ${MESHOPS_PC_SYSTEMD_UNITDIR})
else()
  set(meshops_default_unitdir ${CMAKE_INSTALL_LIBDIR}/systemd/system)
endif()
set(MESHOPS_SYSTEMD_UNITDIR ${meshops_default_unitdir} CACHE STRING
    "Where the systemd units are installed (absolute, or relative to the prefix)")
file(GLOB meshops_units CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/packaging/systemd/*.service
     ${CMAKE_SOURCE_DIR}/packaging/systemd/*.timer)
install(FILES ${meshops_units} DESTINATION ${MESHOPS_SYSTEMD_UNITDIR})

# ts-monitor.service runs as the system user meshops, declared for systemd-sysusers.
pkg_get_variable(MESHOPS_PC_SYSUSERSDIR systemd sysusersdir)
if(NOT MESHOPS_PC_SYSUSERSDIR)
  set(MESHOPS_PC_SYSUSERSDIR ${CMAKE_INSTALL_LIBDIR}/sysusers.d)
endif()
set(MESHOPS_SYSUSERSDIR ${MESHOPS_PC_SYSUSERSDIR} CACHE STRING
    "Where the sysusers.d file is installed (absolute, or relative to the prefix)")
install(FILES ${CMAKE_SOURCE_DIR}/packaging/sysusers/meshops.conf DESTINATION ${MESHOPS_SYSUSERSDIR})

# node_exporter's textfile directory, made by systemd-tmpfiles when it is missing.
pkg_get_variable(MESHOPS_PC_TMPFILESDIR systemd tmpfilesdir)
if(NOT MESHOPS_PC_TMPFILESDIR)
  set(MESHOPS_PC_TMPFILESDIR ${CMAKE_INSTALL_LIBDIR}/tmpfiles.d)
endif()
set(MESHOPS_TMPFILESDIR ${MESHOPS_PC_TMPFILESDIR} CACHE STRING
    "Where the tmpfiles.d file is installed (absolute, or relative to the prefix)")
install(FILES ${CMAKE_SOURCE_DIR}/packaging/tmpfiles/meshops.conf DESTINATION ${MESHOPS_TMPFILESDIR})

# What a monitoring server takes from a host's package (README "Many hosts"): Prometheus'
# recording and alerting rules with their promtool tests, and Icinga 2's CheckCommands.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/prometheus/meshops.rules.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/meshops/prometheus)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/prometheus/tests/meshops.test.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/meshops/prometheus/tests)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/icinga2/meshops.conf DESTINATION ${CMAKE_INSTALL_DATADIR}/meshops/icinga2)

# The maintainer scripts (packaging/debian/*.in) name the units and the metrics files they write,
# taken from packaging/systemd so that a new unit needs no edit there.
set(meshops_timers "")
set(meshops_services "")
set(MESHOPS_DEB_METRICS "")
foreach(unit ${meshops_units})
  get_filename_component(name ${unit} NAME)
  if(name MATCHES "\\.timer$")
    list(APPEND meshops_timers ${name})
  else()
    list(APPEND meshops_services ${name})
  endif()
  file(STRINGS ${unit} execs REGEX "^ExecStart=.*--prom-file ")
  foreach(exec ${execs})
    string(REGEX REPLACE ".*--prom-file ([^ ]+).*" "\\1" prom ${exec})
    list(APPEND MESHOPS_DEB_METRICS ${prom})
  endforeach()
endforeach()
list(JOIN meshops_services " " MESHOPS_DEB_SERVICES)
list(JOIN meshops_timers " " MESHOPS_DEB_TIMERS)
set(MESHOPS_DEB_UNITS "${MESHOPS_DEB_SERVICES} ${MESHOPS_DEB_TIMERS}")
set(MESHOPS_DEB_UNITS_STOP_ORDER "${MESHOPS_DEB_TIMERS} ${MESHOPS_DEB_SERVICES}")
list(JOIN MESHOPS_DEB_METRICS " " MESHOPS_DEB_METRICS)
foreach(kind sysusers tmpfiles)
  string(TOUPPER ${kind} KIND)
  set(dir ${MESHOPS_${KIND}DIR})
  if(NOT IS_ABSOLUTE ${dir})
    set(dir /usr/${dir})
  endif()
  set(MESHOPS_${KIND}_FILE ${dir}/meshops.conf)
endforeach()
set(meshops_deb_scripts "")
foreach(script postinst prerm postrm)
  configure_file(${CMAKE_SOURCE_DIR}/packaging/debian/${script}.in ${CMAKE_BINARY_DIR}/debian/${script} @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  list(APPEND meshops_deb_scripts ${CMAKE_BINARY_DIR}/debian/${script})
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${meshops_deb_scripts}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME meshops)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Operate a Tailscale mesh host: tailnet, nginx proxy, nftables zones")
set(CPACK_PACKAGE_CONTACT "meshops maintainers <meshops@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# The libraries the tools load (meshops-health runs its checks in-process: no jq, no timeout);
# dpkg-shlibdeps adds the exact versions of every linked library on top.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4, libnftables1, libsystemd0")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The tools check nginx and nftables but the host may run either elsewhere: not a hard need.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nginx, nftables")
include(CPack)
