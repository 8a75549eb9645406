# Install rules and the Debian package (scripts/package-deb runs cpack).
# The package holds civicd, the civic CLI, the web page every node serves, a
# systemd unit template (one instance per node) and the operator docs; its
# maintainer scripts create the civicledger user and /etc/civicledger.
include(GNUInstallDirs)

install(TARGETS civicd civic RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/web/dist/ DESTINATION ${CMAKE_INSTALL_DATADIR}/civicledger/web)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/civicd@.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/OPERATIONS.md ${CMAKE_SOURCE_DIR}/docs/RPC.md
              ${CMAKE_SOURCE_DIR}/docs/SECURITY.md ${CMAKE_SOURCE_DIR}/docs/ARCHITECTURE.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/civicledger)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME civicledger)
set(CPACK_PACKAGE_VENDOR "CivicLedger")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Permissioned BFT ledger for city departments (e-certificates, credit lists, data-sharing audit)")
set(CPACK_PACKAGE_DESCRIPTION
    "civicd, the node every department runs, the civic CLI and the page a node serves.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "CivicLedger maintainers <maintainers@civicledger.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library packages found by dpkg-shlibdeps from the binaries; adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/postinst ${CMAKE_CURRENT_LIST_DIR}/prerm ${CMAKE_CURRENT_LIST_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
