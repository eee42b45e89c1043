// The vector-file reader of `tessera fp`: valid forms accepted, each malformed form rejected.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/errors.hpp"
#include "numerics/fp_ops.hpp"
#include "numerics/fp_vectors.hpp"

using namespace tessera;

namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("tessera_vec_" + std::to_string(reinterpret_cast<uintptr_t>(this)) + ".vec")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::vector<fp::FpVector> read(const char* op, const std::string& text) {
  TempFile f(text);
  return fp::read_fp_vectors(f.path(), *fp::find_fp_op(op));
}

}  // namespace

TEST_CASE("vector files: comments; blank lines; 0x prefixes; extra fields", "[fp][vectors]") {
  const auto v = read("f32_add", "# header\n\n3f800000 40000000 40400000 extra fields # note\n  0x1 0X2 0x3\n");
  REQUIRE(v.size() == 2);
  CHECK(v[0].line == 3);
  CHECK(v[0].operands[0] == 0x3F800000u);
  CHECK(v[0].operands[1] == 0x40000000u);
  CHECK(v[0].expected == 0x40400000u);
  CHECK(v[1].line == 4);
  CHECK(v[1].expected == 3);
  const auto w = read("e4m3_to_f32", "7f 7fc00000\n");
  REQUIRE(w.size() == 1);
  CHECK(w[0].operands[0] == 0x7F);
}

TEST_CASE("vector files: malformed input is an InputError naming file and line", "[fp][vectors]") {
  CHECK_THROWS_WITH(read("f32_add", "3f800000 40000000\n"), Catch::Contains(":1:") && Catch::Contains("needs 3"));
  CHECK_THROWS_WITH(read("f32_mul", "1 2 3\n1 zz 3\n"), Catch::Contains(":2:") && Catch::Contains("'zz'"));
  CHECK_THROWS_WITH(read("f32_to_e4m3", "3f800000 100\n"), Catch::Contains("not a hex e4m3 code"));
  CHECK_THROWS_WITH(read("bf16_to_f32", "10000 3f800000\n"), Catch::Contains("not a hex bf16 code"));
  CHECK_THROWS_WITH(read("f32_add", "1 2 123456789\n"), Catch::Contains("not a hex fp32 code"));
  CHECK_THROWS_WITH(read("f32_add", "0x 1 2\n"), Catch::Contains("'0x'"));
  CHECK_THROWS_WITH(read("f32_add", "-1 2 3\n"), Catch::Contains("'-1'"));
  CHECK_THROWS_WITH(read("f32_add", "# only comments\n\n"), Catch::Contains("holds no vectors"));
  CHECK_THROWS_AS(fp::read_fp_vectors("/nonexistent/x.vec", *fp::find_fp_op("f32_add")), InputError);
  CHECK_THROWS_AS(fp::read_fp_vectors(std::filesystem::temp_directory_path().string(), *fp::find_fp_op("f32_add")),
                  InputError);
}
