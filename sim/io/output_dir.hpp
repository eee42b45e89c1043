// Staged outputs (SPEC section 12): every output file is written under a hidden temporary name
// inside the output directory and renamed to its final name only by commit(), once the whole
// command has succeeded. An OutputDir destroyed before commit() removes its temporaries, so a
// failed command leaves no output file behind.
#pragma once

#include <string>
#include <vector>

#include "npy.hpp"

namespace tessera::io {

class OutputDir {
 public:
  // Creates `dir` and its parents if missing. InputError if that fails or `dir` is not a directory.
  explicit OutputDir(std::string dir);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // The path to write the final file `name` to: ".<name>.tmp-<pid>" inside the directory.
  // `name` is a plain file name (no '/', not "." or ".."); InputError otherwise. Staging the
  // same name twice returns the same path.
  std::string stage(const std::string& name);

  // Renames every staged file to its final name (atomic per file, replacing an existing file).
  // Checks first that every staged file was written, so a missing one fails before any rename.
  // InputError on failure; files not yet renamed are then still removed by the destructor.
  // Names staged after a commit() need another commit().
  void commit();

  const std::string& dir() const { return dir_; }

 private:
  struct Staged {
    std::string temp;
    std::string final_path;
  };
  std::string dir_;
  std::vector<Staged> staged_;
};

// Writes `a` to the staged temporary of `name` in `out`.
void write_npy_staged(OutputDir& out, const std::string& name, const NpyArray& a);

}  // namespace tessera::io
