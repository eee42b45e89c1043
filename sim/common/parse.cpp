#include "parse.hpp"

#include <fmt/format.h>

#include "common/errors.hpp"

namespace tessera {

uint64_t parse_uint(std::string_view t, std::string_view what) {
  unsigned base = 10;
  std::string_view digits = t;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty()) throw InputError(fmt::format("{} '{}' is not a number", what, t));
  uint64_t v = 0;
  for (char c : digits) {
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else throw InputError(fmt::format("{} '{}' is not a number", what, t));
    if (v > (UINT64_MAX - d) / base) throw InputError(fmt::format("{} '{}' is too large", what, t));
    v = v * base + d;
  }
  return v;
}

int64_t parse_int(std::string_view t, std::string_view what) {
  const bool negative = !t.empty() && t[0] == '-';
  const uint64_t mag = parse_uint(negative ? t.substr(1) : t, what);
  if (mag > (negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1))
    throw InputError(fmt::format("{} '{}' is too large", what, t));
  return negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
}

std::vector<std::string_view> split_ws(std::string_view t) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r')) ++i;
    const size_t start = i;
    while (i < t.size() && t[i] != ' ' && t[i] != '\t' && t[i] != '\r') ++i;
    if (i > start) out.push_back(t.substr(start, i - start));
  }
  return out;
}

}  // namespace tessera
