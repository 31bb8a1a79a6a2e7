// Where a preloaded allocator's library is, and whether a file can be one. The search is the
// dynamic loader's own (LD_LIBRARY_PATH, the ld.so cache, the default folders): a short-lived child
// with the library in LD_PRELOAD and LD_TRACE_LOADED_OBJECTS set, which makes the loader list what it
// loaded, as ldd does, and exit before any code of the program or the library runs. A library named
// by path (-a NAME=PATH) must be an ELF shared object for this machine that defines malloc itself.
#pragma once

#include <string>

namespace vmbench {

// "" when `path` is a readable ELF shared object built for this machine, else one line why not
// ("No such file or directory", "not a shared object (no ELF header)", ...), starting with the path.
std::string shared_object_problem(const std::string& path);

// The file the dynamic loader opens for LD_PRELOAD=`name_or_path`, by its own rules; "" when it
// cannot load it.
std::string find_by_loader(const std::string& name_or_path);

// True when the shared object at `path` defines malloc in its dynamic symbol table (a malloc
// replacement), false when it only uses it (libz) or cannot be read.
bool defines_malloc(const std::string& path);

}  // namespace vmbench
