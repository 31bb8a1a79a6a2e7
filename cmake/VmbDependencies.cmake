# Every dependency comes from a Debian package. A missing one stops configuration with one line that
# names it and the package that provides it.

function(vmb_missing what package)
  message(FATAL_ERROR "vmbench: missing dependency ${what}: install it with 'apt-get install ${package}'")
endfunction()

# find_package in config mode, or fail naming the Debian package.
macro(vmb_require_config name package)
  find_package(${name} CONFIG QUIET)
  if(NOT ${name}_FOUND)
    vmb_missing(${name} ${package})
  endif()
endmacro()

if(VMB_BUILD_TESTS)
  if(WIN32 AND CMAKE_CROSSCOMPILING)
    # Debian ships GoogleTest built for Linux only: build it for Windows from its sources, with the
    # project's compiler and flags, under the same GTest:: names find_package(GTest) gives.
    set(VMB_GTEST_SOURCE_DIR /usr/src/googletest
        CACHE PATH "GoogleTest sources built when cross-compiling")
    if(NOT EXISTS ${VMB_GTEST_SOURCE_DIR}/CMakeLists.txt)
      vmb_missing("GoogleTest sources (${VMB_GTEST_SOURCE_DIR})" googletest)
    endif()
    set(INSTALL_GTEST OFF CACHE BOOL "Install GoogleTest with vmbench (no: only the tests use it)")
    # Only MSVC has a choice of C runtime; this keeps GoogleTest's the same as ours there.
    set(gtest_force_shared_crt ON CACHE BOOL "Use the DLL C runtime for GoogleTest (MSVC)")
    # EXCLUDE_FROM_ALL: built only as the tests need it. SYSTEM: its headers warn nothing in ours.
    add_subdirectory(${VMB_GTEST_SOURCE_DIR} ${CMAKE_BINARY_DIR}/_deps/googletest
                     EXCLUDE_FROM_ALL SYSTEM)
    foreach(lib IN ITEMS gtest gtest_main gmock gmock_main)
      if(TARGET ${lib} AND NOT TARGET GTest::${lib})
        add_library(GTest::${lib} ALIAS ${lib})
      endif()
    endforeach()
  else()
    find_package(GTest QUIET)
    if(NOT GTest_FOUND)
      vmb_missing(GoogleTest libgtest-dev)
    endif()
  endif()
endif()

if(NOT VMB_LIBRARY_ONLY)
  vmb_require_config(CLI11 libcli11-dev)
  vmb_require_config(nlohmann_json nlohmann-json3-dev)
  vmb_require_config(benchmark libbenchmark-dev)
  find_package(Threads REQUIRED)

  find_package(PkgConfig QUIET)
  if(NOT PkgConfig_FOUND)
    vmb_missing(pkg-config pkg-config)
  endif()
  pkg_check_modules(JEMALLOC QUIET jemalloc)
  if(NOT JEMALLOC_FOUND)
    vmb_missing(jemalloc libjemalloc-dev)
  endif()
  # The tool loads jemalloc into its measured children with LD_PRELOAD: remember where it lives.
  pkg_get_variable(JEMALLOC_LIBDIR jemalloc libdir)
endif()
