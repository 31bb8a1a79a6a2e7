#include "library_lookup.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

extern "C" char** environ;

namespace vmbench {

namespace {

#if defined(__x86_64__)
constexpr int kThisMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kThisMachine = EM_AARCH64;
#else
constexpr int kThisMachine = EM_NONE;  // not checked
#endif

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) text.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) return text;
  }
}

// This environment with LD_PRELOAD replaced by the library and the loader asked to list, not run.
std::vector<std::string> listing_environment(const std::string& library) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0 && std::strncmp(*e, "LD_TRACE_LOADED_OBJECTS=", 24) != 0)
      env.emplace_back(*e);
  env.push_back("LD_PRELOAD=" + library);
  env.push_back("LD_TRACE_LOADED_OBJECTS=1");
  return env;
}

// The loader's listing of this very executable with the library preloaded (what ldd prints).
std::string loader_listing(const std::string& library) {
  std::vector<std::string> env = listing_environment(library);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = "vmbench";
  char* argv[] = {arg0.data(), nullptr};
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "";
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    if (dup2(fds[1], 1) >= 0 && devnull >= 0 && dup2(devnull, 2) >= 0) execve("/proc/self/exe", argv, envp.data());
    _exit(127);
  }
  close(fds[1]);
  const std::string listing = pid > 0 ? read_all(fds[0]) : "";
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  return listing;
}

// One line of the listing: "\tNAME => PATH (0x...)" for a library found by name, "\tPATH (0x...)"
// for one given by path. The path, when the line is the library's.
std::string path_in_line(std::string_view line, std::string_view name) {
  while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
  const std::size_t paren = line.rfind(" (");
  if (paren == std::string_view::npos) return "";
  line = line.substr(0, paren);
  const std::size_t arrow = line.find(" => ");
  if (arrow == std::string_view::npos) return line == name ? std::string(line) : "";
  return line.substr(0, arrow) == name ? std::string(line.substr(arrow + 4)) : "";
}

// The dynamic symbol table of a mapped ELF file: its symbols and their names.
struct DynamicSymbols {
  const Elf64_Sym* symbols = nullptr;
  std::size_t count = 0;
  const char* names = nullptr;
  std::size_t names_bytes = 0;
};

bool within(std::size_t offset, std::size_t bytes, std::size_t file_bytes) {
  return offset <= file_bytes && bytes <= file_bytes - offset;
}

DynamicSymbols dynamic_symbols(const unsigned char* file, std::size_t bytes) {
  DynamicSymbols out;
  if (bytes < sizeof(Elf64_Ehdr)) return out;
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(file);
  if (eh->e_shentsize != sizeof(Elf64_Shdr) || !within(eh->e_shoff, eh->e_shnum * sizeof(Elf64_Shdr), bytes))
    return out;
  const auto* sections = reinterpret_cast<const Elf64_Shdr*>(file + eh->e_shoff);
  for (std::size_t i = 0; i < eh->e_shnum; ++i) {
    const Elf64_Shdr& s = sections[i];
    if (s.sh_type != SHT_DYNSYM || s.sh_link >= eh->e_shnum || s.sh_entsize != sizeof(Elf64_Sym)) continue;
    const Elf64_Shdr& strings = sections[s.sh_link];
    if (!within(s.sh_offset, s.sh_size, bytes) || !within(strings.sh_offset, strings.sh_size, bytes)) return out;
    out = {reinterpret_cast<const Elf64_Sym*>(file + s.sh_offset), s.sh_size / sizeof(Elf64_Sym),
           reinterpret_cast<const char*>(file + strings.sh_offset), strings.sh_size};
  }
  return out;
}

bool defines(const DynamicSymbols& table, std::string_view wanted) {
  for (std::size_t i = 0; i < table.count; ++i) {
    const Elf64_Sym& sym = table.symbols[i];
    const int type = ELF64_ST_TYPE(sym.st_info), bind = ELF64_ST_BIND(sym.st_info);
    if (sym.st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_GNU_IFUNC) ||
        (bind != STB_GLOBAL && bind != STB_WEAK) || sym.st_name >= table.names_bytes)
      continue;
    const char* name = table.names + sym.st_name;
    if (strnlen(name, table.names_bytes - sym.st_name) == wanted.size() && wanted == name) return true;
  }
  return false;
}

}  // namespace

std::string shared_object_problem(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return path + ": " + std::strerror(errno);
  struct stat st {};
  Elf64_Ehdr header{};
  const bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const ssize_t n = regular ? read(fd, &header, sizeof header) : 0;
  close(fd);
  if (!regular) return path + ": not a regular file";
  if (n < static_cast<ssize_t>(EI_NIDENT) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return path + ": not a shared object (no ELF header)";
  if (n < static_cast<ssize_t>(sizeof header) || header.e_ident[EI_CLASS] != ELFCLASS64)
    return path + ": not a 64-bit ELF file";
  if (kThisMachine != EM_NONE && header.e_machine != kThisMachine) return path + ": built for another machine";
  if (header.e_type != ET_DYN) return path + ": an ELF file but not a shared object";
  return "";
}

std::string find_by_loader(const std::string& name_or_path) {
  const std::string listing = loader_listing(name_or_path);
  std::size_t start = 0;
  while (start < listing.size()) {
    std::size_t end = listing.find('\n', start);
    if (end == std::string::npos) end = listing.size();
    const std::string path = path_in_line(std::string_view(listing).substr(start, end - start), name_or_path);
    if (!path.empty()) return path;
    start = end + 1;
  }
  return "";
}

bool defines_malloc(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  void* map = fstat(fd, &st) == 0 && st.st_size > 0
                  ? mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0)
                  : MAP_FAILED;
  close(fd);
  if (map == MAP_FAILED) return false;
  const bool found = defines(dynamic_symbols(static_cast<const unsigned char*>(map), static_cast<std::size_t>(st.st_size)), "malloc");
  munmap(map, static_cast<std::size_t>(st.st_size));
  return found;
}

}  // namespace vmbench
