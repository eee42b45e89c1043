#include "files.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "errors.hpp"
#include "io/output_dir.hpp"

namespace tessera {

std::vector<uint8_t> read_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(fmt::format("{}: no such file", path));
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(fmt::format("{}: not a regular file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(fmt::format("{}: read error", path));
  return bytes;
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  const std::filesystem::path p(path);
  io::OutputDir dir(p.has_parent_path() ? p.parent_path().string() : ".");
  const std::string temp = dir.stage(p.filename().string());
  {
    std::ofstream out(temp, std::ios::binary);
    out << contents;
    if (!out) throw InputError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  dir.commit();
}

}  // namespace tessera
