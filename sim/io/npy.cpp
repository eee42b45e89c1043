#include "npy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "common/errors.hpp"

namespace tessera::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kArrayAlign = 64;          // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisMaxDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS
// numpy refuses headers over 10000 bytes by default; a generous bound keeps a lying length
// field from making us allocate more than the header could sensibly need.
constexpr uint64_t kMaxHeaderLen = uint64_t{1} << 20;

struct DtypeInfo {
  NpyDtype dtype;
  std::string_view descr;  // what the writer emits
  size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {NpyDtype::kF4, "<f4", 4}, {NpyDtype::kF2, "<f2", 2}, {NpyDtype::kU2, "<u2", 2},
    {NpyDtype::kU1, "|u1", 1}, {NpyDtype::kI4, "<i4", 4}, {NpyDtype::kI8, "<i8", 8},
};

const DtypeInfo& info(NpyDtype dtype) {
  for (const DtypeInfo& d : kDtypes)
    if (d.dtype == dtype) return d;
  throw std::invalid_argument("unknown NpyDtype");
}

bool find_dtype(std::string_view text, NpyDtype& out) {
  if (text == "<u1") text = "|u1";  // one byte has no byte order; numpy writes '|u1'
  for (const DtypeInfo& d : kDtypes)
    if (d.descr == text) {
      out = d.dtype;
      return true;
    }
  return false;
}

// Header text for a message: printable ASCII kept, the rest as \xNN, long text cut.
std::string printable(std::string_view text, size_t max_chars = 48) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

// Python's repr of a shape tuple: (), (5,), (2, 3).
std::string shape_repr(const std::vector<uint64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// Elements of `shape`, or false when the product of its non-zero dimensions times `item`
// does not fit 64 bits (such a shape is rejected even if another dimension is 0).
bool checked_count(const std::vector<uint64_t>& shape, uint64_t item, uint64_t& count) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t nonzero = item;
  bool any_zero = false;
  for (const uint64_t d : shape) {
    if (d == 0) {
      any_zero = true;
      continue;
    }
    if (nonzero > kMax / d) return false;
    nonzero *= d;
  }
  count = any_zero ? 0 : nonzero / item;
  return true;
}

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw InputError(fmt::format("{}: {}", path, reason));
}

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<uint64_t> shape;
};

// The header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// parsed here without an evaluator: keys in any order, any whitespace, trailing commas.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, std::string_view text) : path_(path), text_(text) {}

  Header parse() {
    Header h;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    skip_ws();
    expect('{', "the header to start with '{'");
    skip_ws();
    while (!eat('}')) {
      const size_t key_at = pos_;
      if (at_end() || (peek() != '\'' && peek() != '"')) error("expected a quoted key or '}'");
      const std::string key = parse_string();
      skip_ws();
      expect(':', fmt::format("':' after key '{}'", printable(key)));
      skip_ws();
      if (key == "descr") {
        if (seen_descr) error_at(key_at, "duplicate key 'descr'");
        seen_descr = true;
        if (!at_end() && peek() == '[')
          bad("structured dtypes are not supported (descr is a list)");
        if (at_end() || (peek() != '\'' && peek() != '"')) error("descr is not a string");
        h.descr = parse_string();
      } else if (key == "fortran_order") {
        if (seen_fortran) error_at(key_at, "duplicate key 'fortran_order'");
        seen_fortran = true;
        h.fortran_order = parse_bool();
      } else if (key == "shape") {
        if (seen_shape) error_at(key_at, "duplicate key 'shape'");
        seen_shape = true;
        h.shape = parse_shape();
      } else {
        error_at(key_at, fmt::format("unexpected key '{}'", printable(key)));
      }
      skip_ws();
      if (eat(',')) {
        skip_ws();
        continue;
      }
      expect('}', "',' or '}' after a value");
      break;
    }
    skip_ws();
    if (!at_end()) error("unexpected text after the closing '}'");
    if (!seen_descr) bad("header has no 'descr' key");
    if (!seen_fortran) bad("header has no 'fortran_order' key");
    if (!seen_shape) bad("header has no 'shape' key");
    return h;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void skip_ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r' ||
                         peek() == '\f' || peek() == '\v'))
      ++pos_;
  }

  bool eat(char c) {
    if (at_end() || peek() != c) return false;
    ++pos_;
    return true;
  }

  void expect(char c, const std::string& what) {
    if (!eat(c)) error(fmt::format("expected {}", what));
  }

  // A quoted Python string; a backslash keeps the next character as is.
  std::string parse_string() {
    const size_t start = pos_;
    const char quote = text_[pos_++];
    std::string out;
    while (!at_end() && peek() != quote) {
      if (peek() == '\\') ++pos_;
      if (at_end()) break;
      out += text_[pos_++];
    }
    if (!eat(quote)) error_at(start, "unterminated string");
    return out;
  }

  std::string_view word() {
    const size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' ||
                         peek() == '.' || peek() == '-' || peek() == '+'))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool parse_bool() {
    const size_t start = pos_;
    const std::string_view w = word();
    if (w == "True") return true;
    if (w == "False") return false;
    pos_ = start;
    error("fortran_order is not True or False");
  }

  std::vector<uint64_t> parse_shape() {
    if (!eat('(')) error("shape is not a tuple");
    std::vector<uint64_t> shape;
    bool trailing_comma = false;
    skip_ws();
    while (!eat(')')) {
      shape.push_back(parse_dim());
      skip_ws();
      trailing_comma = eat(',');
      skip_ws();
      if (!trailing_comma && !at_end() && peek() != ')') error("expected ',' or ')' in the shape");
      if (at_end()) error("unterminated shape tuple");
    }
    if (shape.size() == 1 && !trailing_comma)
      bad(fmt::format("shape ({}) is not a tuple (a 1-d shape is written ({},))", shape[0], shape[0]));
    return shape;
  }

  uint64_t parse_dim() {
    const size_t start = pos_;
    const std::string_view token = word();
    std::string_view w = token;
    bool negative = false;
    if (!w.empty() && (w.front() == '+' || w.front() == '-')) {
      negative = w.front() == '-';
      w.remove_prefix(1);
    }
    if (w.size() > 1 && (w.back() == 'L' || w.back() == 'l')) w.remove_suffix(1);  // Python 2 long
    if (w.empty() || w.find_first_not_of("0123456789") != std::string_view::npos) {
      if (token.empty()) error("expected a non-negative integer dimension in the shape");
      error_at(start, fmt::format("dimension '{}' is not a non-negative integer", printable(token)));
    }
    uint64_t value = 0;
    for (const char c : w) {
      const auto digit = static_cast<uint64_t>(c - '0');
      if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
        bad(fmt::format("dimension {} in the shape is too large", printable(token)));
      value = value * 10 + digit;
    }
    if (negative && value != 0) bad(fmt::format("negative dimension {} in the shape", printable(token)));
    return value;
  }

  [[noreturn]] void bad(const std::string& reason) const { fail(path_, reason); }

  [[noreturn]] void error(const std::string& what) const { error_at(pos_, what); }

  [[noreturn]] void error_at(size_t at, const std::string& what) const {
    std::string_view shown = text_;  // without numpy's padding
    while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\n')) shown.remove_suffix(1);
    fail(path_, fmt::format("header is not a valid dict literal: {} at offset {} of \"{}\"", what, at,
                            printable(shown, 96)));
  }

  const std::string& path_;
  std::string_view text_;
  size_t pos_ = 0;
};

void read_exact(std::ifstream& in, const std::string& path, void* buffer, uint64_t bytes) {
  if (bytes == 0) return;
  in.read(static_cast<char*>(buffer), static_cast<std::streamsize>(bytes));
  if (static_cast<uint64_t>(in.gcount()) != bytes) fail(path, "read error");
}

}  // namespace

std::string_view descr(NpyDtype dtype) { return info(dtype).descr; }

size_t itemsize(NpyDtype dtype) { return info(dtype).size; }

uint64_t NpyArray::count() const {
  uint64_t n = 1;
  for (const uint64_t d : shape) n *= d;
  return n;
}

NpyArray read_npy(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) fail(path, "no such file");
  if (ec) fail(path, fmt::format("cannot access: {}", ec.message()));
  if (status.type() == fs::file_type::directory) fail(path, "is a directory, not a .npy file");
  if (status.type() != fs::file_type::regular) fail(path, "not a regular file");

  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, fmt::format("cannot open: {}", std::strerror(errno ? errno : EIO)));
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  in.seekg(0, std::ios::beg);
  if (end < 0 || !in) fail(path, "cannot determine the file size");
  const auto file_size = static_cast<uint64_t>(end);
  if (file_size == 0) fail(path, "empty file (not a .npy file)");

  // Preamble: magic, version, header length (2 bytes in 1.0, 4 bytes in 2.0 and 3.0).
  unsigned char pre[12] = {};
  const uint64_t pre_read = std::min<uint64_t>(file_size, sizeof pre);
  read_exact(in, path, pre, pre_read);
  if (std::memcmp(pre, kMagic, std::min<uint64_t>(pre_read, kMagicLen)) != 0)
    fail(path, "not a .npy file (bad magic: expected \\x93NUMPY)");
  if (file_size < 10)
    fail(path, fmt::format("truncated: {} bytes is too short for a .npy header", file_size));
  const unsigned major = pre[6], minor = pre[7];
  if (!((major == 1 || major == 2 || major == 3) && minor == 0))
    fail(path, fmt::format("unsupported .npy format version {}.{} (supported: 1.0, 2.0, 3.0)", major, minor));
  uint64_t prefix = 10, header_len = pre[8] | (uint64_t{pre[9]} << 8);
  if (major >= 2) {
    if (file_size < 12)
      fail(path, fmt::format("truncated: {} bytes is too short for a version {}.0 .npy header", file_size, major));
    prefix = 12;
    header_len |= (uint64_t{pre[10]} << 16) | (uint64_t{pre[11]} << 24);
  }
  if (header_len > file_size - prefix)
    fail(path, fmt::format("truncated: header length {} runs past the end of the file ({} bytes)",
                           header_len, file_size));
  if (header_len > kMaxHeaderLen)
    fail(path, fmt::format("header length {} is implausibly large", header_len));

  std::string text(static_cast<size_t>(header_len), '\0');
  in.seekg(static_cast<std::streamoff>(prefix), std::ios::beg);
  read_exact(in, path, text.data(), header_len);
  const Header header = HeaderParser(path, text).parse();

  NpyArray a;
  if (!find_dtype(header.descr, a.dtype)) {
    if (!header.descr.empty() && header.descr.front() == '>')
      fail(path, fmt::format("big-endian dtype '{}' is not supported (only little-endian)",
                             printable(header.descr)));
    fail(path, fmt::format("unsupported dtype '{}' (supported: <f4 <f2 <u2 |u1 <i4 <i8)",
                           printable(header.descr)));
  }
  if (header.fortran_order) fail(path, "Fortran-order arrays are not supported");
  a.shape = header.shape;

  uint64_t count = 0;
  const uint64_t item = itemsize(a.dtype);
  if (!checked_count(a.shape, item, count))
    fail(path, fmt::format("shape {} is too large (its size in bytes overflows 64 bits)", shape_repr(a.shape)));
  const uint64_t expected = count * item;
  const uint64_t found = file_size - prefix - header_len;
  if (found < expected)
    fail(path, fmt::format("truncated: expected {} bytes of data, found {}", expected, found));
  if (found > expected)
    fail(path, fmt::format("trailing bytes: expected {} bytes of data for shape {}, found {}", expected,
                           shape_repr(a.shape), found));

  a.data.resize(static_cast<size_t>(expected));  // bounded by the file's size
  read_exact(in, path, a.data.data(), expected);
  return a;
}

void write_npy(const std::string& path, const NpyArray& a) {
  const DtypeInfo& d = info(a.dtype);
  uint64_t count = 0;
  if (!checked_count(a.shape, d.size, count) || a.data.size() != count * d.size)
    throw std::invalid_argument(fmt::format("write_npy {}: {} data bytes do not match shape {} of {}", path,
                                            a.data.size(), shape_repr(a.shape), d.descr));

  // Laid out exactly as numpy's _write_array_header and _wrap_header do.
  std::string dict =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", d.descr, shape_repr(a.shape));
  if (!a.shape.empty()) {
    const size_t digits = std::to_string(a.shape[0]).size();
    if (digits < kGrowthAxisMaxDigits) dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  // Version 1.0 unless the padded header overflows its 16-bit length field (numpy does the same).
  const size_t hlen = dict.size() + 1;
  unsigned major = 1;
  size_t prefix = 10;
  size_t padded = hlen + (kArrayAlign - (prefix + hlen) % kArrayAlign);
  if (padded > 0xFFFF) {
    major = 2;
    prefix = 12;
    padded = hlen + (kArrayAlign - (prefix + hlen) % kArrayAlign);
  }

  std::string header(kMagic, kMagicLen);
  header += static_cast<char>(major);
  header += '\0';
  for (size_t i = 0; i < prefix - 8; ++i) header += static_cast<char>((padded >> (8 * i)) & 0xFF);
  header += dict;
  header.append(padded - hlen, ' ');
  header += '\n';

  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw InputError(fmt::format("cannot write {}: {}", path, std::strerror(errno ? errno : EIO)));
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
  if (ok && !a.data.empty()) ok = std::fwrite(a.data.data(), 1, a.data.size(), f) == a.data.size();
  if (ok) ok = std::fflush(f) == 0;
  const int saved = ok ? 0 : (errno ? errno : EIO);
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    const int err = ok ? (errno ? errno : EIO) : saved;
    std::remove(path.c_str());
    throw InputError(fmt::format("cannot write {}: {}", path, std::strerror(err)));
  }
}

}  // namespace tessera::io
