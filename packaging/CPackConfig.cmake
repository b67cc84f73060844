# Install layout and the Debian package (included from the top-level CMakeLists.txt).
#
#   <prefix>/bin/rppg, rppg-studio
#   <prefix>/share/rppg-studio/{faces,samples,models,translations}   found by core/resourcepaths
#       relative to the binary (../share/rppg-studio), so the tree can be moved (relocatable)
#   <prefix>/share/applications, metainfo, icons/hicolor             desktop integration
#
#   cmake --build build && (cd build && cpack -G DEB)   →  build/rppg-studio_<version>_<arch>.deb
include(GNUInstallDirs)
# `install`/cpack install what is built without first building every target (tests included):
# build first (cmake --build build), then package.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(RPPG_DATA_DEST ${CMAKE_INSTALL_DATADIR}/rppg-studio)
set(RPPG_APP_ID io.github.rppgstudio.RppgStudio)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/faces ${PROJECT_SOURCE_DIR}/resources/samples
        DESTINATION ${RPPG_DATA_DEST})
if(EXISTS ${PROJECT_SOURCE_DIR}/resources/models)
  # Shipped network weights (*.ckpt) and their model cards, when the tree has them.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models DESTINATION ${RPPG_DATA_DEST})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(RPPG_BUILD_GUI)
  if(RPPG_QM_FILES)
    # Also embedded in the program (:/i18n); installed for translators and packagers.
    install(FILES ${RPPG_QM_FILES} DESTINATION ${RPPG_DATA_DEST}/translations)
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/linux/${RPPG_APP_ID}.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/linux/${RPPG_APP_ID}.metainfo.xml
                 ${PROJECT_BINARY_DIR}/packaging/${RPPG_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/${RPPG_APP_ID}.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  foreach(size 16 32 48 64 128 256 512)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/hicolor/${size}x${size}/apps/rppg-studio.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/rppg-studio.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()

# ---- CPack: a .deb for Debian 12 -----------------------------------------------------------------
set(CPACK_PACKAGE_NAME rppg-studio)
set(CPACK_PACKAGE_VENDOR "rPPG Studio contributors")
set(CPACK_PACKAGE_CONTACT "rPPG Studio contributors <rppg-studio@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "heart rate from face video (remote photoplethysmography)")
set(CPACK_PACKAGE_DESCRIPTION
    "rPPG Studio measures the heart rate from face video with classical methods (POS, CHROM, GREEN) "
    "and the STVEN and rPPGNet networks: a Qt desktop application (rppg-studio) with live and "
    "recorded analysis and a codec comparison, and the rppg command-line tool (analyse, synthesise "
    "test videos, codec studies, dataset evaluation, benchmarks).")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/rppgstudio/rppg-studio")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# Shared-library dependencies come from dpkg-shlibdeps; the rest are data and plugins the programs
# load at run time (dlib's landmark model, Qt's platform and image plugins, the FFmpeg backend of
# Qt Multimedia).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libdlib-data")
if(RPPG_BUILD_GUI)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", qt6-qpa-plugins, libqt6multimedia6")
  # Chinese user interface: Qt's own translations and a CJK font.
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, fonts-noto-cjk | fonts-wqy-microhei")
endif()
include(CPack)
