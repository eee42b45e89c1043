#include "fp_vectors.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/errors.hpp"

namespace tessera::fp {
namespace {

// Parses one hex field (optional 0x) that must fit the format's width.
bool parse_hex(const std::string& token, unsigned bits, uint32_t& out) {
  size_t pos = 0;
  if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) pos = 2;
  if (pos == token.size() || token.size() - pos > 8) return false;
  uint64_t value = 0;
  for (; pos < token.size(); ++pos) {
    const char c = token[pos];
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return false;
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  if (bits < 32 && value >> bits) return false;
  out = static_cast<uint32_t>(value);
  return true;
}

}  // namespace

std::vector<FpVector> read_fp_vectors(const std::string& path, const FpOp& op) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(fmt::format("{}: not a readable vector file", path));
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));

  const size_t arity = op.operands.size();
  std::vector<FpVector> vectors;
  std::string text;
  for (size_t line_no = 1; std::getline(in, text); ++line_no) {
    if (const size_t hash = text.find('#'); hash != std::string::npos) text.resize(hash);
    std::istringstream fields(text);
    std::vector<std::string> tokens;
    for (std::string t; tokens.size() <= arity && fields >> t;) tokens.push_back(t);
    if (tokens.empty()) continue;
    if (tokens.size() < arity + 1)
      throw InputError(fmt::format("{}:{}: {} needs {} hex fields ({} operand{} and the expected result), found {}",
                                   path, line_no, op.name, arity + 1, arity, arity > 1 ? "s" : "",
                                   tokens.size()));
    FpVector v{line_no, {0, 0}, 0};
    for (size_t i = 0; i <= arity; ++i) {
      const Format f = i < arity ? op.operands[i] : op.result;
      uint32_t& slot = i < arity ? v.operands[i] : v.expected;
      if (!parse_hex(tokens[i], info(f).bits, slot))
        throw InputError(fmt::format("{}:{}: field {} '{}' is not a hex {} code", path, line_no,
                                     i + 1, tokens[i], info(f).name));
    }
    vectors.push_back(v);
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", path));
  if (vectors.empty()) throw InputError(fmt::format("{}: holds no vectors", path));
  return vectors;
}

}  // namespace tessera::fp
