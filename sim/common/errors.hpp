// Error classes that map to the documented exit codes (SPEC section 8).
#pragma once

#include <stdexcept>
#include <string>

namespace tessera {

enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,  // a numerics or cycle check failed
  kExitBadInput = 2,     // usage, file, shape, range
  kExitSimError = 3,     // deadlock, RTL assertion
};

// Bad input from the user: flags, files, shapes, ranges. Exit code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A check failed during the run (the co-simulation's lockstep checker). Exit code 1.
class CheckError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The simulation itself could not complete (deadlock, assertion). Exit code 3.
class SimError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tessera
