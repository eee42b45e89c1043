#include "timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace tessera::io {
namespace {

// Track order: pe, act, dve, then the DMA queues by number.
int track_of(const std::string& engine) {
  if (engine == "pe") return 0;
  if (engine == "act") return 1;
  if (engine == "dve") return 2;
  return 3 + std::stoi(engine.substr(3));
}

}  // namespace

nlohmann::json timeline_json(const CoreConfig& config, const isa::Program& program, const kernels::Timing& timing,
                             const std::string& kernel, const std::string& mode) {
  using nlohmann::json;
  const double us_per_cycle = 1.0 / static_cast<double>(config.clock_mhz);
  json events = json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0},
                    {"args", {{"name", fmt::format("tessera {} on {} ({} mode)", kernel, config.name, mode)}}}});
  std::map<std::string, const isa::Queue*> queues;
  for (const isa::Queue& q : program.queues) {
    queues[q.engine] = &q;
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", track_of(q.engine)},
                      {"args", {{"name", q.engine}}}});
    events.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 0}, {"tid", track_of(q.engine)},
                      {"args", {{"sort_index", track_of(q.engine)}}}});
  }
  // Issue cycle of each queue's previous instruction: the gap before an issue is the time the
  // instruction waited at the head of its queue (a semaphore, or its engine still busy).
  std::vector<kernels::InstTiming> insts = timing.instructions;
  std::sort(insts.begin(), insts.end(), [](const auto& a, const auto& b) {
    return a.engine != b.engine ? a.engine < b.engine : a.index < b.index;
  });
  std::map<std::string, uint64_t> next_free;  // earliest issue cycle after the previous one
  for (const kernels::InstTiming& t : insts) {
    const auto q = queues.find(t.engine);
    if (q == queues.end() || t.index >= q->second->insts.size()) continue;
    const isa::Instruction& inst = q->second->insts[t.index];
    const uint64_t ready = next_free.count(t.engine) ? next_free[t.engine] : 0;
    const uint64_t waited = t.issue > ready ? t.issue - ready : 0;
    next_free[t.engine] = t.issue + 1;
    std::string stall = "none";
    if (waited && inst.wait_en) stall = fmt::format("semaphore s{} >= {}", inst.wait_sem, inst.wait_value);
    else if (waited) stall = "engine busy";
    events.push_back({{"name", inst.op->name},
                      {"cat", t.engine},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", track_of(t.engine)},
                      {"ts", static_cast<double>(t.issue) * us_per_cycle},
                      {"dur", static_cast<double>(t.done - t.issue + 1) * us_per_cycle},
                      {"args",
                       {{"instruction", isa::to_text(inst)},
                        {"index", t.index},
                        {"issue_cycle", t.issue},
                        {"done_cycle", t.done},
                        {"cycles", t.done - t.issue + 1},
                        {"waited_cycles", waited},
                        {"stall", stall}}}});
  }
  for (const kernels::TrafficSample& s : timing.traffic) {
    if (!s.window) continue;
    const double w = static_cast<double>(s.window);
    const double ts = static_cast<double>(s.cycle) * us_per_cycle;
    events.push_back({{"name", "DRAM bytes/cycle"}, {"ph", "C"}, {"pid", 0}, {"ts", ts},
                      {"args", {{"read", static_cast<double>(s.dram_read_bytes) / w},
                                {"write", static_cast<double>(s.dram_write_bytes) / w}}}});
    events.push_back({{"name", "SBUF accesses/cycle"}, {"ph", "C"}, {"pid", 0}, {"ts", ts},
                      {"args", {{"granted", static_cast<double>(s.sbuf_accesses) / w}}}});
  }
  return {{"traceEvents", events},
          {"displayTimeUnit", "ns"},
          {"otherData", {{"kernel", kernel}, {"config", config.name}, {"mode", mode}, {"cycles", timing.cycles},
                         {"clock_mhz", config.clock_mhz}}}};
}

}  // namespace tessera::io
