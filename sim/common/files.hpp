// Whole-file reads and atomic whole-file writes for the command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

// InputError "<path>: ..." when the file is missing, a directory or unreadable.
std::vector<uint8_t> read_file(const std::string& path);

// Writes to a temporary name beside `path` and renames it into place.
void write_file_atomic(const std::string& path, const std::string& contents);

}  // namespace tessera
