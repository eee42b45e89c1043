// NumPy .npy reader and writer, and staged outputs: round trips, numpy's exact bytes, every
// malformed-file class rejected with one clear InputError, and no output left behind on failure.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/errors.hpp"
#include "io/npy.hpp"
#include "io/output_dir.hpp"

using namespace tessera;
using namespace tessera::io;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("tessera_npy_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
             std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A .npy file with the given header text (padded like numpy) and data bytes.
std::string make_npy(const std::string& dict, const std::string& data, unsigned major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return out + header + data;
}

std::string f4_dict(const std::string& shape) {
  return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
}

NpyArray read_text(const TempDir& dir, const std::string& bytes) {
  const std::string path = dir.file("x.npy");
  write_bytes(path, bytes);
  return read_npy(path);
}

std::vector<uint8_t> pattern(size_t n, unsigned seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 37 + seed * 11 + 5);
  return v;
}

std::vector<std::string> dir_entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

// The exact bytes numpy 1.24 writes for np.arange(6, dtype='<f4').reshape(2, 3).
const std::string kNumpyF4x2x3 =
    std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
    "                                                          \n" +
    std::string("\x00\x00\x00\x00"
                "\x00\x00\x80\x3f"
                "\x00\x00\x00\x40"
                "\x00\x00\x40\x40"
                "\x00\x00\x80\x40"
                "\x00\x00\xa0\x40",
                24);

}  // namespace

TEST_CASE("npy: descr and itemsize of every dtype", "[io][npy]") {
  CHECK(descr(NpyDtype::kF4) == "<f4");
  CHECK(descr(NpyDtype::kF2) == "<f2");
  CHECK(descr(NpyDtype::kU2) == "<u2");
  CHECK(descr(NpyDtype::kU1) == "|u1");
  CHECK(descr(NpyDtype::kI4) == "<i4");
  CHECK(descr(NpyDtype::kI8) == "<i8");
  CHECK(itemsize(NpyDtype::kF4) == 4);
  CHECK(itemsize(NpyDtype::kF2) == 2);
  CHECK(itemsize(NpyDtype::kU2) == 2);
  CHECK(itemsize(NpyDtype::kU1) == 1);
  CHECK(itemsize(NpyDtype::kI4) == 4);
  CHECK(itemsize(NpyDtype::kI8) == 8);
}

TEST_CASE("npy: every dtype and shape round trips through write and read", "[io][npy]") {
  TempDir dir;
  const std::vector<std::vector<uint64_t>> shapes = {{}, {1}, {5}, {2, 3}, {2, 3, 4}, {0}, {0, 3}, {3, 0, 2}, {70}};
  unsigned seed = 0;
  for (const NpyDtype dtype : {NpyDtype::kF4, NpyDtype::kF2, NpyDtype::kU2, NpyDtype::kU1, NpyDtype::kI4, NpyDtype::kI8}) {
    for (const auto& shape : shapes) {
      NpyArray a;
      a.dtype = dtype;
      a.shape = shape;
      a.data = pattern(a.count() * itemsize(dtype), ++seed);
      const std::string path = dir.file("rt.npy");
      write_npy(path, a);
      const std::string bytes = read_bytes(path);
      INFO("descr " << descr(dtype) << " ndim " << shape.size());
      REQUIRE(bytes.size() >= 64);
      const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
      CHECK((10 + header_len) % 64 == 0);
      CHECK(bytes[9 + header_len] == '\n');
      CHECK(bytes.size() == 10 + header_len + a.data.size());
      const NpyArray b = read_npy(path);
      CHECK(b.dtype == a.dtype);
      CHECK(b.shape == a.shape);
      CHECK(b.data == a.data);
      CHECK(b.count() == a.count());
    }
  }
}

TEST_CASE("npy: count is the product of the shape", "[io][npy]") {
  NpyArray a;
  CHECK(a.count() == 1);
  a.shape = {2, 3, 4};
  CHECK(a.count() == 24);
  a.shape = {0, 3};
  CHECK(a.count() == 0);
}

TEST_CASE("npy: the writer lays out the header exactly like numpy", "[io][npy]") {
  TempDir dir;
  const std::string path = dir.file("h.npy");
  NpyArray a;
  a.dtype = NpyDtype::kI8;
  a.shape = {5};
  a.data = pattern(40, 1);
  write_npy(path, a);
  std::string bytes = read_bytes(path);
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(bytes.substr(10, 57) == "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }");
  CHECK(bytes.size() == 128 + 40);

  a.dtype = NpyDtype::kU1;
  a.shape = {};
  a.data = {7};
  write_npy(path, a);
  bytes = read_bytes(path);
  CHECK(bytes.substr(10, 55) == "{'descr': '|u1', 'fortran_order': False, 'shape': (), }");
  CHECK(bytes.size() == 128 + 1);  // 55 + 10 + 1 bytes round up to 128

  a.dtype = NpyDtype::kF2;
  a.shape = {3, 4};
  a.data = pattern(24, 2);
  write_npy(path, a);
  bytes = read_bytes(path);
  CHECK(bytes.substr(10, 59) == "{'descr': '<f2', 'fortran_order': False, 'shape': (3, 4), }");
}

TEST_CASE("npy: a file written by numpy is read; and written back byte for byte", "[io][npy]") {
  TempDir dir;
  REQUIRE(kNumpyF4x2x3.size() == 128 + 24);
  const NpyArray a = read_text(dir, kNumpyF4x2x3);
  CHECK(a.dtype == NpyDtype::kF4);
  CHECK(a.shape == std::vector<uint64_t>{2, 3});
  REQUIRE(a.data.size() == 24);
  for (int i = 0; i < 6; ++i) {
    float f;
    std::memcpy(&f, a.data.data() + 4 * i, 4);
    CHECK(f == static_cast<float>(i));
  }
  const std::string path = dir.file("again.npy");
  write_npy(path, a);
  CHECK(read_bytes(path) == kNumpyF4x2x3);
}

TEST_CASE("npy: headers numpy could read are accepted in any layout", "[io][npy]") {
  TempDir dir;
  const std::string data(12, '\x01');
  // Keys in another order, double quotes, odd whitespace, no trailing comma in the dict.
  NpyArray a = read_text(dir, make_npy("{ \"shape\":( 3 ,) ,'fortran_order' :False,\n\t'descr':'<f4'}", data));
  CHECK(a.shape == std::vector<uint64_t>{3});
  a = read_text(dir, make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, ), }", data));
  CHECK(a.shape == std::vector<uint64_t>{1, 3});
  a = read_text(dir, make_npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3L,), }", data));  // Python 2
  CHECK(a.shape == std::vector<uint64_t>{3});
  CHECK(a.dtype == NpyDtype::kI4);
  a = read_text(dir, make_npy("{'descr': '<u1', 'fortran_order': False, 'shape': (12,), }", data));
  CHECK(a.dtype == NpyDtype::kU1);
  a = read_text(dir, make_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 6), }", data));
  CHECK(a.dtype == NpyDtype::kU1);
  // Versions 2.0 and 3.0 have a 4-byte header length.
  a = read_text(dir, make_npy(f4_dict("(3,)"), data, 2));
  CHECK(a.shape == std::vector<uint64_t>{3});
  a = read_text(dir, make_npy(f4_dict("(3,)"), data, 3));
  CHECK(a.shape == std::vector<uint64_t>{3});
  // A header without numpy's padding is still valid.
  std::string bare = std::string("\x93NUMPY\x01\x00", 8) + '\0' + '\0' + f4_dict("(3,)");
  bare[8] = static_cast<char>(f4_dict("(3,)").size());
  a = read_text(dir, bare + data);
  CHECK(a.data.size() == 12);
}

TEST_CASE("npy: zero-size dimensions are accepted", "[io][npy]") {
  TempDir dir;
  NpyArray a = read_text(dir, make_npy(f4_dict("(0, 3)"), ""));
  CHECK(a.shape == std::vector<uint64_t>{0, 3});
  CHECK(a.count() == 0);
  CHECK(a.data.empty());
  a = read_text(dir, make_npy(f4_dict("(0,)"), ""));
  CHECK(a.count() == 0);
  CHECK_THROWS_WITH(read_text(dir, make_npy(f4_dict("(0, 3)"), "abcd")), Catch::Contains("trailing bytes"));
}

TEST_CASE("npy: missing file", "[io][npy][bad]") {
  TempDir dir;
  const std::string path = dir.file("absent.npy");
  CHECK_THROWS_AS(read_npy(path), InputError);
  CHECK_THROWS_WITH(read_npy(path), Catch::StartsWith(path + ": ") && Catch::Contains("no such file"));
}

TEST_CASE("npy: a directory is not a file", "[io][npy][bad]") {
  TempDir dir;
  CHECK_THROWS_AS(read_npy(dir.path().string()), InputError);
  CHECK_THROWS_WITH(read_npy(dir.path().string()), Catch::Contains("is a directory"));
}

TEST_CASE("npy: empty file", "[io][npy][bad]") {
  TempDir dir;
  CHECK_THROWS_AS(read_text(dir, ""), InputError);
  CHECK_THROWS_WITH(read_text(dir, ""), Catch::Contains("empty file"));
}

TEST_CASE("npy: file truncated inside the preamble", "[io][npy][bad]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, std::string("\x93NUM", 4)), Catch::Contains("truncated"));
  CHECK_THROWS_WITH(read_text(dir, std::string("\x93NUMPY\x01\x00\x76", 9)), Catch::Contains("truncated"));
  CHECK_THROWS_WITH(read_text(dir, std::string("\x93NUMPY\x02\x00\x76\x00", 10)), Catch::Contains("truncated"));
}

TEST_CASE("npy: every truncation of a valid file is rejected", "[io][npy][bad]") {
  TempDir dir;
  for (size_t n = 0; n < kNumpyF4x2x3.size(); ++n) {
    INFO("first " << n << " bytes");
    CHECK_THROWS_AS(read_text(dir, kNumpyF4x2x3.substr(0, n)), InputError);
  }
}

TEST_CASE("npy: bad magic", "[io][npy][bad]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, "PK\x03\x04 this is a zip"), Catch::Contains("bad magic"));
  CHECK_THROWS_WITH(read_text(dir, "x"), Catch::Contains("bad magic"));
  std::string bytes = kNumpyF4x2x3;
  bytes[1] = 'n';
  CHECK_THROWS_WITH(read_text(dir, bytes), Catch::Contains("not a .npy file"));
}

TEST_CASE("npy: unsupported format version", "[io][npy][bad]") {
  TempDir dir;
  std::string bytes = kNumpyF4x2x3;
  bytes[6] = 4;
  CHECK_THROWS_WITH(read_text(dir, bytes), Catch::Contains("unsupported .npy format version 4.0"));
  bytes[6] = 1;
  bytes[7] = 1;
  CHECK_THROWS_WITH(read_text(dir, bytes), Catch::Contains("version 1.1"));
  bytes[6] = 0;
  bytes[7] = 0;
  CHECK_THROWS_WITH(read_text(dir, bytes), Catch::Contains("version 0.0"));
}

TEST_CASE("npy: header length beyond the file", "[io][npy][bad]") {
  TempDir dir;
  std::string bytes = kNumpyF4x2x3;
  bytes[8] = '\xff';
  bytes[9] = '\xff';
  CHECK_THROWS_WITH(read_text(dir, bytes), Catch::Contains("header length 65535 runs past the end"));
  // Version 2.0: a 4 GiB header length in a small file.
  std::string v2 = make_npy(f4_dict("(3,)"), std::string(12, '\0'), 2);
  v2[8] = v2[9] = v2[10] = v2[11] = '\xff';
  CHECK_THROWS_WITH(read_text(dir, v2), Catch::Contains("header length 4294967295 runs past the end"));
}

TEST_CASE("npy: header that is not a valid dict literal", "[io][npy][bad]") {
  TempDir dir;
  const std::string data(12, '\0');
  const auto bad = [&](const std::string& dict) { return read_text(dir, make_npy(dict, data)); };
  const auto invalid = Catch::Contains("header is not a valid dict literal");
  CHECK_THROWS_AS(bad("hello"), InputError);
  CHECK_THROWS_WITH(bad("hello"), invalid && Catch::Contains("'{'"));
  CHECK_THROWS_WITH(bad(""), invalid);
  CHECK_THROWS_WITH(bad("{'descr' '<f4', 'fortran_order': False, 'shape': (3,)}"), invalid && Catch::Contains("':'"));
  CHECK_THROWS_WITH(bad("{'descr: '<f4', 'fortran_order': False, 'shape': (3,)}"), invalid);
  CHECK_THROWS_WITH(bad("{'descr': '<f4"), invalid && Catch::Contains("unterminated string"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)"), invalid);
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,"), invalid);
  CHECK_THROWS_WITH(bad("{'descr': '<f4' 'fortran_order': False, 'shape': (3,)}"), invalid);
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} x"),
                    invalid && Catch::Contains("after the closing"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': false, 'shape': (3,)}"),
                    invalid && Catch::Contains("not True or False"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': [3]}"),
                    invalid && Catch::Contains("shape is not a tuple"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}"),
                    Catch::Contains("shape (3) is not a tuple"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,,)}"), invalid);
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3 4)}"), invalid);
  CHECK_THROWS_WITH(bad("{'descr': <f4, 'fortran_order': False, 'shape': (3,)}"),
                    invalid && Catch::Contains("descr is not a string"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'shape': (3,)}"), Catch::Contains("no 'fortran_order' key"));
  CHECK_THROWS_WITH(bad("{'fortran_order': False, 'shape': (3,)}"), Catch::Contains("no 'descr' key"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False}"), Catch::Contains("no 'shape' key"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'extra': 1}"),
                    invalid && Catch::Contains("unexpected key 'extra'"));
  CHECK_THROWS_WITH(bad("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"),
                    invalid && Catch::Contains("duplicate key 'descr'"));
  // Binary garbage is quoted printably.
  CHECK_THROWS_WITH(bad(std::string("{\x01\xfe}", 4)), invalid && Catch::Contains("\\x01\\xfe"));
}

TEST_CASE("npy: Fortran order is rejected", "[io][npy][bad]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                                            std::string(24, '\0'))),
                    Catch::Contains("Fortran-order arrays are not supported"));
}

TEST_CASE("npy: big-endian and unknown dtypes are named", "[io][npy][bad]") {
  TempDir dir;
  const auto with_descr = [&](const std::string& d) {
    return read_text(dir, make_npy("{'descr': '" + d + "', 'fortran_order': False, 'shape': (2,), }",
                                   std::string(8, '\0')));
  };
  CHECK_THROWS_WITH(with_descr(">f4"), Catch::Contains("big-endian dtype '>f4' is not supported"));
  CHECK_THROWS_WITH(with_descr(">i8"), Catch::Contains("big-endian dtype '>i8'"));
  CHECK_THROWS_WITH(with_descr("<f8"), Catch::Contains("unsupported dtype '<f8'"));
  CHECK_THROWS_WITH(with_descr("|b1"), Catch::Contains("unsupported dtype '|b1'"));
  CHECK_THROWS_WITH(with_descr("<U4"), Catch::Contains("unsupported dtype '<U4'"));
  CHECK_THROWS_WITH(with_descr(""), Catch::Contains("unsupported dtype ''"));
  CHECK_THROWS_WITH(read_text(dir, make_npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
                                            std::string(8, '\0'))),
                    Catch::Contains("structured dtypes are not supported"));
}

TEST_CASE("npy: negative and non-integer dimensions", "[io][npy][bad]") {
  TempDir dir;
  const auto with_shape = [&](const std::string& s) { return read_text(dir, make_npy(f4_dict(s), "")); };
  CHECK_THROWS_WITH(with_shape("(-1,)"), Catch::Contains("negative dimension -1"));
  CHECK_THROWS_WITH(with_shape("(2, -3)"), Catch::Contains("negative dimension -3"));
  CHECK_THROWS_WITH(with_shape("(3.0,)"), Catch::Contains("dimension '3.0' is not a non-negative integer"));
  CHECK_THROWS_WITH(with_shape("(1e3,)"), Catch::Contains("dimension '1e3' is not a non-negative integer"));
  CHECK_THROWS_WITH(with_shape("(None,)"), Catch::Contains("dimension 'None' is not a non-negative integer"));
  CHECK_THROWS_WITH(with_shape("('a',)"), Catch::Contains("non-negative integer"));
  CHECK_THROWS_WITH(with_shape("((2,),)"), Catch::Contains("non-negative integer"));
}

TEST_CASE("npy: shapes whose size overflows are rejected without allocating", "[io][npy][bad]") {
  TempDir dir;
  const auto with_shape = [&](const std::string& s) { return read_text(dir, make_npy(f4_dict(s), "")); };
  CHECK_THROWS_WITH(with_shape("(4294967296, 4294967296)"), Catch::Contains("too large"));
  CHECK_THROWS_WITH(with_shape("(4611686018427387904,)"), Catch::Contains("too large"));  // 2^62 * 4 bytes
  CHECK_THROWS_WITH(with_shape("(0, 4294967296, 4294967296)"), Catch::Contains("too large"));
  CHECK_THROWS_WITH(with_shape("(99999999999999999999999,)"), Catch::Contains("dimension 99999999999999999999999"));
  // Huge but representable: the data check fails before any allocation.
  CHECK_THROWS_WITH(with_shape("(1000000000000,)"),
                    Catch::Contains("truncated: expected 4000000000000 bytes of data, found 0"));
}

TEST_CASE("npy: data shorter than the shape says", "[io][npy][bad]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, kNumpyF4x2x3.substr(0, kNumpyF4x2x3.size() - 4)),
                    Catch::Contains("truncated: expected 24 bytes of data, found 20"));
  CHECK_THROWS_WITH(read_text(dir, kNumpyF4x2x3.substr(0, 128)),
                    Catch::Contains("truncated: expected 24 bytes of data, found 0"));
}

TEST_CASE("npy: data longer than the shape says", "[io][npy][bad]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, kNumpyF4x2x3 + "x"),
                    Catch::Contains("trailing bytes") && Catch::Contains("expected 24 bytes of data") &&
                        Catch::Contains("found 25"));
}

TEST_CASE("npy: corrupting any header byte gives an InputError or a consistent array", "[io][npy][bad]") {
  TempDir dir;
  for (size_t i = 0; i < 128; ++i) {
    for (const char c : {'\0', '\xff', '-', '(', ')', ',', '\'', '9', ' ', '}'}) {
      std::string bytes = kNumpyF4x2x3;
      bytes[i] = c;
      INFO("byte " << i << " set to " << static_cast<int>(static_cast<unsigned char>(c)));
      try {
        const NpyArray a = read_text(dir, bytes);
        CHECK(a.data.size() == a.count() * itemsize(a.dtype));
      } catch (const InputError&) {
      }
    }
  }
}

TEST_CASE("npy: writing to an impossible path is an InputError", "[io][npy]") {
  TempDir dir;
  NpyArray a;
  a.shape = {1};
  a.data = {0, 0, 0, 0};
  const std::string path = dir.file("no/such/dir/x.npy");
  CHECK_THROWS_AS(write_npy(path, a), InputError);
  CHECK_THROWS_WITH(write_npy(path, a), Catch::StartsWith("cannot write " + path + ": "));
  a.data.pop_back();
  CHECK_THROWS_AS(write_npy(dir.file("bad.npy"), a), std::invalid_argument);
  CHECK_FALSE(fs::exists(dir.file("bad.npy")));
}

TEST_CASE("output dir: committed files appear under their final names only", "[io][output]") {
  TempDir tmp;
  const std::string root = tmp.file("a/b/out");  // parents created too
  {
    OutputDir out(root);
    CHECK(out.dir() == root);
    REQUIRE(fs::is_directory(root));
    NpyArray a;
    a.shape = {2};
    a.data = pattern(8, 3);
    write_npy_staged(out, "c.npy", a);
    const std::string csv = out.stage("loss.csv");
    CHECK(fs::path(csv).parent_path() == fs::path(root));
    CHECK(fs::path(csv).filename().string().rfind(".loss.csv.tmp-", 0) == 0);
    CHECK(out.stage("loss.csv") == csv);
    std::ofstream(csv) << "step,loss,cycles\n";
    CHECK_FALSE(fs::exists(fs::path(root) / "c.npy"));  // nothing final before commit
    out.commit();
  }
  auto names = dir_entries(root);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"c.npy", "loss.csv"});
  CHECK(read_npy((fs::path(root) / "c.npy").string()).data == pattern(8, 3));
  CHECK(read_bytes((fs::path(root) / "loss.csv").string()) == "step,loss,cycles\n");

  // An existing directory is reused and an existing file of the same name replaced.
  {
    OutputDir out(root);
    std::ofstream(out.stage("loss.csv")) << "new\n";
    out.commit();
  }
  CHECK(read_bytes((fs::path(root) / "loss.csv").string()) == "new\n");
  CHECK(dir_entries(root).size() == 2);
}

TEST_CASE("output dir: destroyed without commit leaves no file", "[io][output]") {
  TempDir tmp;
  const std::string root = tmp.file("out");
  {
    OutputDir out(root);
    NpyArray a;
    a.shape = {3};
    a.data = pattern(12, 4);
    write_npy_staged(out, "c.npy", a);
    std::ofstream(out.stage("report.json")) << "{}";
    out.stage("never_written.bin");
    CHECK(dir_entries(root).size() == 2);
  }
  CHECK(fs::is_directory(root));
  CHECK(dir_entries(root).empty());
}

TEST_CASE("output dir: a commit that fails renames nothing and leaves no file", "[io][output]") {
  TempDir tmp;
  const std::string root = tmp.file("out");
  {
    OutputDir out(root);
    std::ofstream(out.stage("a.txt")) << "a";
    out.stage("b.txt");  // staged but never written
    CHECK_THROWS_WITH(out.commit(), Catch::Contains("b.txt") && Catch::Contains("was not written"));
    CHECK_FALSE(fs::exists(fs::path(root) / "a.txt"));
  }
  CHECK(dir_entries(root).empty());
}

TEST_CASE("output dir: bad directories and names are InputErrors", "[io][output]") {
  TempDir tmp;
  const std::string file = tmp.file("plain");
  write_bytes(file, "x");
  CHECK_THROWS_AS(OutputDir(file), InputError);
  CHECK_THROWS_WITH(OutputDir(file), Catch::Contains("cannot create output directory " + file));
  CHECK_THROWS_AS(OutputDir(file + "/sub"), InputError);
  CHECK_THROWS_WITH(OutputDir(file + "/sub/dir"), Catch::Contains("cannot create output directory " + file + "/sub/dir"));
  CHECK_THROWS_AS(OutputDir(""), InputError);
  OutputDir out(tmp.file("ok"));
  CHECK_THROWS_AS(out.stage(""), InputError);
  CHECK_THROWS_AS(out.stage("../escape.npy"), InputError);
  CHECK_THROWS_AS(out.stage(".."), InputError);
}
