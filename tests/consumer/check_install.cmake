# cmake -P script run by the vmb_install_consumer test: install the vmbench build into a scratch prefix,
# then configure, build and run tests/consumer against that prefix with find_package(vmb).
# Inputs (-D): VMB_BUILD_DIR, VMB_CONFIG, CONSUMER_SOURCE_DIR, WORK_DIR, GENERATOR, MAKE_PROGRAM,
#              CXX_COMPILER, CXX_FLAGS.
cmake_minimum_required(VERSION 3.25)

foreach(var VMB_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_install.cmake: -D${var}=... is required")
  endif()
endforeach()
if("${VMB_CONFIG}" STREQUAL "")
  set(VMB_CONFIG Release)
endif()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed (${rc}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("install" "${CMAKE_COMMAND}" --install "${VMB_BUILD_DIR}" --config "${VMB_CONFIG}" --prefix "${prefix}")

set(configure_args -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}" -G "${GENERATOR}"
    "-DCMAKE_BUILD_TYPE=${VMB_CONFIG}" "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    # Only the scratch prefix may satisfy find_package(vmb): never a copy installed system-wide.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(NOT "${MAKE_PROGRAM}" STREQUAL "")
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
run("configure consumer" "${CMAKE_COMMAND}" ${configure_args})
run("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" --config "${VMB_CONFIG}")

find_program(consumer_exe vmb_consumer PATHS "${consumer_build}" "${consumer_build}/${VMB_CONFIG}"
             NO_DEFAULT_PATH REQUIRED)
run("run consumer" "${consumer_exe}")
if(NOT last_output MATCHES "vmb consumer ok")
  message(FATAL_ERROR "consumer ran but did not report success:\n${last_output}")
endif()

# The consumer must have found the scratch prefix's package, not some other vmb.
file(READ "${consumer_build}/CMakeCache.txt" cache)
string(REGEX MATCH "vmb_DIR:PATH=([^\n]*)" _ "${cache}")
string(FIND "${CMAKE_MATCH_1}" "${prefix}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "find_package(vmb) used '${CMAKE_MATCH_1}', not the scratch prefix ${prefix}")
endif()
message(STATUS "installed into ${prefix}; consumer found vmb at ${CMAKE_MATCH_1}, built and ran")
