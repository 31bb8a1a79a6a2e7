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
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    vmb_missing(GoogleTest libgtest-dev)
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
