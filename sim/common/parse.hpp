// Small parsing helpers shared by the .tasm and command-line parsers.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace tessera {

// Decimal or 0x-hex unsigned integer; InputError naming `what` otherwise.
uint64_t parse_uint(std::string_view text, std::string_view what);
// Optionally negative decimal or 0x-hex integer.
int64_t parse_int(std::string_view text, std::string_view what);
// Splits on spaces and tabs.
std::vector<std::string_view> split_ws(std::string_view text);

}  // namespace tessera
