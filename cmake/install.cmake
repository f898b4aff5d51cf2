# Install rules for everything beside the binary (man page, shell completions, README) and the
# CPack configuration (a Debian package and a tarball).  include()d at the end of the top-level
# CMakeLists.txt, after install(TARGETS vramest ...):
#
#   cmake --install build --prefix ~/.local        # or /usr/local (the default), /usr
#   cmake --build build --target package           # build/vramest_<version>_<arch>.deb and a .tar.gz
#   cpack --config build/CPackConfig.cmake -G DEB -B /tmp/pkg
#
# tests/install/install_test.sh checks the result of both.

include(GNUInstallDirs)

get_filename_component(VRAMEST_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# --- Man page ----------------------------------------------------------------------------------
# docs/vramest.1 is installed with the project's version on its .TH line, gzipped (as Debian
# policy wants man pages) when gzip is available.
set(VRAMEST_MAN_SOURCE "${VRAMEST_ROOT}/docs/vramest.1")
set(VRAMEST_MAN_PAGE "${CMAKE_CURRENT_BINARY_DIR}/docs/vramest.1")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${VRAMEST_MAN_SOURCE}")
file(READ "${VRAMEST_MAN_SOURCE}" _vramest_man)
string(REGEX REPLACE "\n\\.TH VRAMEST 1 ([^ \n]+) \"vramest [^\"\n]*\"" "\n.TH VRAMEST 1 \\1 \"vramest ${PROJECT_VERSION}\""
       _vramest_man "${_vramest_man}")
set(_vramest_man_old "")
if(EXISTS "${VRAMEST_MAN_PAGE}")
  file(READ "${VRAMEST_MAN_PAGE}" _vramest_man_old)
endif()
if(NOT _vramest_man STREQUAL _vramest_man_old)  # rewrite only on change: no needless re-gzip
  file(WRITE "${VRAMEST_MAN_PAGE}" "${_vramest_man}")
endif()

find_program(VRAMEST_GZIP gzip)
mark_as_advanced(VRAMEST_GZIP)
if(VRAMEST_GZIP)
  add_custom_command(
    OUTPUT "${VRAMEST_MAN_PAGE}.gz"
    COMMAND "${VRAMEST_GZIP}" -9 -n -k -f "${VRAMEST_MAN_PAGE}"
    DEPENDS "${VRAMEST_MAN_PAGE}"
    COMMENT "Compressing the man page"
    VERBATIM)
  add_custom_target(vramest_man ALL DEPENDS "${VRAMEST_MAN_PAGE}.gz")
  install(FILES "${VRAMEST_MAN_PAGE}.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
else()
  install(FILES "${VRAMEST_MAN_PAGE}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
endif()

# --- Shell completions (the directories each shell's packages search by default) ---------------
install(FILES "${VRAMEST_ROOT}/completions/vramest.bash"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" RENAME vramest)
install(FILES "${VRAMEST_ROOT}/completions/_vramest"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions")
install(FILES "${VRAMEST_ROOT}/completions/vramest.fish"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d")

# --- Documentation -----------------------------------------------------------------------------
install(FILES "${VRAMEST_ROOT}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# --- Packages ----------------------------------------------------------------------------------
set(VRAMEST_PACKAGE_MAINTAINER "vramest developers <vramest@example.invalid>"
    CACHE STRING "Maintainer field of the packages (Name <email>)")

set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_PACKAGE_NAME "vramest")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "vramest")
set(CPACK_PACKAGE_CONTACT "${VRAMEST_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "estimate the GPU memory a language model needs")
# Debian wraps the extended description at 80 columns: keep these lines shorter.
set(CPACK_PACKAGE_DESCRIPTION
    "vramest answers how much GPU memory a language model needs and what it fits
on, offline, from one binary: weights in any format (dtypes, bitsandbytes,
GPTQ/AWQ, GGUF), KV cache, activations and runtime for transformers, vLLM and
llama.cpp, training and LoRA, and the fit on real GPUs; as a terminal report,
an exit status for CI gates, or JSON.")
set(CPACK_STRIP_FILES ON)

# Debian: package vramest_<version>_<arch>.deb in section utils, installed under /usr.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${VRAMEST_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
# The binary links the C++ runtime statically, so it needs only libc: dpkg-shlibdeps (package
# dpkg-dev) computes the exact libc6 version; without it, an unversioned libc6.
find_program(VRAMEST_DPKG_SHLIBDEPS dpkg-shlibdeps)
mark_as_advanced(VRAMEST_DPKG_SHLIBDEPS)
if(VRAMEST_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6")
endif()

# `cmake --build build --target package_source`: the sources without build trees.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/\\.cache/" "^${VRAMEST_ROOT}/build[^/]*/"
    "/compile_commands\\.json$")

include(CPack)
