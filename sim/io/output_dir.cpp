#include "output_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/errors.hpp"

namespace tessera::io {

namespace fs = std::filesystem;

OutputDir::OutputDir(std::string dir) : dir_(std::move(dir)) {
  if (dir_.empty()) throw InputError("output directory: empty path");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw InputError(fmt::format("cannot create output directory {}: {}", dir_, ec.message()));
  if (!fs::is_directory(dir_, ec))
    throw InputError(fmt::format("cannot create output directory {}: it exists and is not a directory", dir_));
}

OutputDir::~OutputDir() {
  for (const Staged& s : staged_) {
    std::error_code ec;
    fs::remove(s.temp, ec);  // best effort; nothing to report from a destructor
  }
}

std::string OutputDir::stage(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    throw InputError(fmt::format("invalid output file name '{}'", name));
  const std::string final_path = (fs::path(dir_) / name).string();
  for (const Staged& s : staged_)
    if (s.final_path == final_path) return s.temp;
  const std::string temp =
      (fs::path(dir_) / fmt::format(".{}.tmp-{}", name, static_cast<long>(::getpid()))).string();
  staged_.push_back({temp, final_path});
  return temp;
}

void OutputDir::commit() {
  for (const Staged& s : staged_) {
    std::error_code ec;
    if (!fs::is_regular_file(s.temp, ec))
      throw InputError(fmt::format("cannot write {}: its staged file {} was not written", s.final_path, s.temp));
  }
  while (!staged_.empty()) {
    const Staged& s = staged_.front();
    if (std::rename(s.temp.c_str(), s.final_path.c_str()) != 0)
      throw InputError(fmt::format("cannot write {}: {}", s.final_path, std::strerror(errno)));
    staged_.erase(staged_.begin());
  }
}

void write_npy_staged(OutputDir& out, const std::string& name, const NpyArray& a) {
  write_npy(out.stage(name), a);
}

}  // namespace tessera::io
