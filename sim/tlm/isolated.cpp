#include "isolated.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "common/errors.hpp"
#include "cosim/blocks.hpp"
#include "ref/executor.hpp"

namespace tessera::tlm {

namespace {

using nlohmann::json;

// The wire format between child and parent: CBOR of one object, {result} or {error: {kind,
// message}}, plus {fault} when asked for. Timing records are positional arrays (one binary at
// both ends, and a long run has many of them).
json tensor_json(const kernels::HostTensor& t) {
  return {{"dtype", static_cast<int>(t.dtype)}, {"shape", t.shape}, {"bytes", json::binary(t.bytes)}};
}

kernels::HostTensor tensor_of(const json& j) {
  kernels::HostTensor t;
  t.dtype = static_cast<fp::Format>(j.at("dtype").get<int>());
  t.shape = j.at("shape").get<std::vector<uint64_t>>();
  t.bytes = j.at("bytes").get_binary();
  return t;
}

json result_json(const kernels::RunResult& r) {
  json outputs = json::object();
  for (const auto& [name, t] : r.outputs) outputs[name] = tensor_json(t);
  json j = {{"stats", {{"instructions", r.stats.instructions}, {"flops", r.stats.flops}, {"dram_bytes", r.stats.dram_bytes},
                      {"numerics_seconds", r.stats.numerics_seconds}, {"seconds", r.stats.seconds}}},
            {"outputs", outputs}};
  if (r.timing) {
    const kernels::Timing& t = *r.timing;
    json engines = json::object(), insts = json::array(), traffic = json::array();
    for (const auto& [name, e] : t.engines)
      engines[name] = {e.instructions, e.busy_cycles, e.sem_stall_cycles, e.mem_stall_cycles};
    for (const kernels::InstTiming& i : t.instructions) insts.push_back({i.engine, i.index, i.issue, i.done});
    for (const kernels::TrafficSample& s : t.traffic)
      traffic.push_back({s.cycle, s.window, s.dram_read_bytes, s.dram_write_bytes, s.sbuf_accesses});
    j["timing"] = {{"cycles", t.cycles}, {"engines", engines}, {"instructions", insts}, {"traffic", traffic}};
  }
  return j;
}

kernels::RunResult result_of(const json& j) {
  kernels::RunResult r;
  const json& stats = j.at("stats");
  r.stats.instructions = stats.at("instructions").get<std::map<std::string, uint64_t>>();
  r.stats.flops = stats.at("flops").get<uint64_t>();
  r.stats.dram_bytes = stats.at("dram_bytes").get<uint64_t>();
  r.stats.numerics_seconds = stats.at("numerics_seconds").get<double>();
  r.stats.seconds = stats.at("seconds").get<double>();
  for (const auto& item : j.at("outputs").items()) r.outputs[item.key()] = tensor_of(item.value());
  if (const auto it = j.find("timing"); it != j.end()) {
    kernels::Timing t;
    t.cycles = it->at("cycles").get<uint64_t>();
    for (const auto& item : it->at("engines").items()) {
      const json& e = item.value();
      t.engines[item.key()] = {e.at(0).get<uint64_t>(), e.at(1).get<uint64_t>(), e.at(2).get<uint64_t>(),
                               e.at(3).get<uint64_t>()};
    }
    for (const json& i : it->at("instructions"))
      t.instructions.push_back(
          {i.at(0).get<std::string>(), i.at(1).get<uint32_t>(), i.at(2).get<uint64_t>(), i.at(3).get<uint64_t>()});
    for (const json& s : it->at("traffic"))
      t.traffic.push_back({s.at(0).get<uint64_t>(), s.at(1).get<uint64_t>(), s.at(2).get<uint64_t>(),
                           s.at(3).get<uint64_t>(), s.at(4).get<uint64_t>()});
    r.timing = std::move(t);
  }
  return r;
}

bool write_all(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The child: never returns, never unwinds into the parent's frames (it holds a copy of them).
[[noreturn]] void run_child(int fd, const std::function<kernels::RunResult()>& run, const cosim::Fault* fault) {
  int code = 1;
  try {
    json reply;
    const auto error = [&](const char* kind, const char* message) {
      reply["error"] = {{"kind", kind}, {"message", message}};
    };
    try {
      reply["result"] = result_json(run());
    } catch (const InputError& e) {
      error("input", e.what());
    } catch (const SimError& e) {
      error("sim", e.what());
    } catch (const CheckError& e) {
      error("check", e.what());
    } catch (const std::exception& e) {
      error("other", e.what());
    } catch (...) {
      error("other", "unknown exception in the simulation");
    }
    if (fault) reply["fault"] = {{"fired", fault->fired}, {"fired_cycle", fault->fired_cycle}, {"what", fault->what}};
    // _exit skips the stdio buffers: what SystemC or the RTL printed must come out first.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    if (write_all(fd, json::to_cbor(reply))) code = 0;
  } catch (...) {
  }
  _exit(code);
}

}  // namespace

kernels::RunResult run_isolated(const std::function<kernels::RunResult()>& run, cosim::Fault* fault) {
  ref::prepare_tables();  // built once here, inherited by every child
  // The parent's free heap memory goes back to the system first: the child's allocations reuse
  // free chunks, and each first write into an inherited page copies it (copy-on-write) where a
  // returned page is only mapped. On the trn1 speed gemm a TLM run took about 3% less time.
  malloc_trim(0);
  // Output still buffered at the fork would be printed twice, by the child too.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  int fds[2];
  if (pipe(fds) != 0) throw SimError(fmt::format("cannot create a pipe for the simulation: {}", std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(fds[0]);
    close(fds[1]);
    throw SimError(fmt::format("cannot fork the simulation: {}", std::strerror(err)));
  }
  if (pid == 0) {
    close(fds[0]);
    run_child(fds[1], run, fault);
  }
  close(fds[1]);
  // Read everything before waitpid: a result larger than the pipe's buffer blocks the child
  // until it is read.
  std::vector<uint8_t> data;
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.insert(data.end(), buf, buf + n);
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    throw SimError(fmt::format("the simulation (process {}) was killed by signal {} ({})", pid, WTERMSIG(status),
                               strsignal(WTERMSIG(status))));
  const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  json reply;  // a garbled reply parses to a discarded value, not an object
  if (exit_status == 0) reply = json::from_cbor(data, true, false);
  if (!reply.is_object())
    throw SimError(fmt::format("the simulation (process {}) exited with status {} without a result", pid, exit_status));

  if (fault && reply.contains("fault")) {
    const json& f = reply.at("fault");
    fault->fired = f.at("fired").get<bool>();
    fault->fired_cycle = f.at("fired_cycle").get<uint64_t>();
    fault->what = f.at("what").get<std::string>();
  }
  if (const auto it = reply.find("error"); it != reply.end()) {
    const std::string kind = it->at("kind").get<std::string>(), message = it->at("message").get<std::string>();
    if (kind == "input") throw InputError(message);
    if (kind == "sim") throw SimError(message);
    if (kind == "check") throw CheckError(message);
    throw std::runtime_error(message);
  }
  return result_of(reply.at("result"));
}

kernels::RunResult run_tlm_isolated(const CoreConfig& config, const isa::Program& program,
                                    const std::map<std::string, kernels::HostTensor>& inputs, uint64_t seed,
                                    const CosimOptions& cosim, cosim::Fault* fault) {
  return run_isolated([&] { return run_tlm(config, program, inputs, seed, cosim); }, fault);
}

}  // namespace tessera::tlm
