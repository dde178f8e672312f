# The Debian package (`cpack -G DEB` in a build directory): the binaries, meshops-health, man
# pages, completions and the systemd units of packaging/systemd.

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

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME meshops)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Operate a Tailscale mesh host: tailnet, nginx proxy, nftables zones")
set(CPACK_PACKAGE_CONTACT "meshops maintainers <meshops@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# The libraries the tools load, plus what meshops-health runs (jq, timeout from coreutils);
# dpkg-shlibdeps adds the exact versions of every linked library on top.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4, libnftables1, libsystemd0, jq, coreutils")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The tools check nginx and nftables but the host may run either elsewhere: not a hard need.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nginx, nftables")
include(CPack)
