# Cross-compile for 64-bit Windows with Debian's mingw-w64 (the `mingw` preset); the tests run
# under wine (scripts/test-windows.sh).

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(VMB_MINGW_TRIPLE x86_64-w64-mingw32)

# The -posix variants: GCC 12's default (win32) thread model has no std::thread or std::mutex.
# C as well as C++, because GoogleTest's own project() enables C.
find_program(VMB_MINGW_CXX ${VMB_MINGW_TRIPLE}-g++-posix)
find_program(VMB_MINGW_CC ${VMB_MINGW_TRIPLE}-gcc-posix)
if(NOT VMB_MINGW_CXX OR NOT VMB_MINGW_CC)
  message(FATAL_ERROR "vmbench: missing dependency ${VMB_MINGW_TRIPLE}-g++-posix: install it with "
                      "'apt-get install g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix'")
endif()
set(CMAKE_CXX_COMPILER ${VMB_MINGW_CXX})
set(CMAKE_C_COMPILER ${VMB_MINGW_CC})

# Look for headers, libraries and packages of the target only; programs are the host's.
set(CMAKE_FIND_ROOT_PATH /usr/${VMB_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Link libgcc, libstdc++ and winpthread into each .exe so that it runs under wine (or on Windows)
# without the compiler's DLLs beside it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")

# Lets ctest (and gtest_discover_tests, which lists the tests at ctest time) run the .exe files. The
# prefix is the one scripts/test-windows.sh makes in the build tree, so nothing depends on ~/.wine.
# scripts/test-windows.sh is the quick way: ctest runs one wine process per test and waits out each
# one's wineserver, about 2.5 s a test.
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(VMB_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
  if(VMB_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_COMMAND} -E env
        WINEDEBUG=-all WINEPREFIX=${CMAKE_BINARY_DIR}/wine-prefix ${VMB_WINE})
  endif()
endif()
