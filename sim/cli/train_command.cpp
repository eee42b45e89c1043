// tessera train mlp (SPEC section 8, docs/kernels.md "tessera train mlp"): the PyTorch program
//   h = x @ w1.T + b1; a = gelu(h, approximate='tanh'); logits = a @ w2.T + b2;
//   loss = cross_entropy(logits, y)
// trained with AdamW or plain SGD, every step one run of the `mlp_step` kernel on the simulated
// core in the chosen mode; weights and optimizer state go from step to step on the host.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common/errors.hpp"
#include "common/files.hpp"
#include "config/core_config.hpp"
#include "io/output_dir.hpp"
#include "kernels/mlp_step.hpp"
#include "kernels/registry.hpp"
#include "kernels/softmax_xent.hpp"
#include "report.hpp"
#include "run_common.hpp"

namespace tessera::cli {
namespace {

using kernels::HostTensor;

struct TrainOptions {
  CommonRunOptions common;
  std::string model;
  int64_t steps = 10, batch = 32, in = 32, hidden = 64, classes = 10, micro_batch = 256;
  double lr = 0;
  std::string optimizer = "adamw";
  CLI::Option *batch_opt = nullptr, *in_opt = nullptr, *hidden_opt = nullptr, *classes_opt = nullptr, *lr_opt = nullptr;
};

const std::vector<std::string> kTrainInputs = {"x", "y", "w1", "b1", "w2", "b2"};

// One model size: from its flag, else from the input files' dimensions, else the default; all
// sources must agree.
struct SizeSource {
  std::string tensor;
  size_t dim;
};
uint64_t resolve_size(const std::string& flag, const CLI::Option* opt, int64_t value, const kernels::InputFiles& files,
                      const std::vector<SizeSource>& sources) {
  if (opt->count() && value < 1) throw InputError(fmt::format("--{} must be at least 1, not {}", flag, value));
  std::optional<uint64_t> size;
  std::string origin;
  if (opt->count()) size = static_cast<uint64_t>(value), origin = "--" + flag;
  for (const SizeSource& s : sources) {
    const auto it = files.find(s.tensor);
    if (it == files.end()) continue;
    const std::vector<uint64_t>& shape = it->second.array.shape;
    const uint64_t n = shape.at(s.dim);
    if (n == 0) throw InputError(fmt::format("{}: '{}' has a zero dimension", it->second.path, s.tensor));
    if (size && *size != n)
      throw InputError(fmt::format("{}: '{}' has shape {}, so --{} would be {}, but {} gives {}", it->second.path, s.tensor,
                                   kernels::shape_text(shape), flag, n, origin, *size));
    if (!size) size = n, origin = fmt::format("'{}' {}", s.tensor, kernels::shape_text(shape));
  }
  return size ? *size : static_cast<uint64_t>(value);
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// U(-bound, bound): the [-1, 1) values of random_tensor scaled by bound, rounded to fp32.
HostTensor uniform_init(std::vector<uint64_t> shape, uint64_t seed, const std::string& name, double bound) {
  HostTensor t = kernels::random_tensor(fp::Format::kFp32, std::move(shape), seed, name);
  for (uint64_t i = 0; i < t.elements(); ++i)
    t.set_code(i, fp::bits_of(static_cast<float>(static_cast<double>(t.value(i)) * bound)));
  return t;
}

std::vector<int64_t> labels_of(const kernels::InputFile& f) {
  const io::NpyArray& a = f.array;
  if (a.dtype != io::NpyDtype::kI4 && a.dtype != io::NpyDtype::kI8)
    throw InputError(fmt::format("{}: labels 'y' must be '<i4' or '<i8', not '{}'", f.path, io::descr(a.dtype)));
  std::vector<int64_t> out(a.count());
  for (uint64_t i = 0; i < out.size(); ++i) {
    if (a.dtype == io::NpyDtype::kI4) {
      int32_t v;
      std::memcpy(&v, &a.data[i * 4], 4);
      out[i] = v;
    } else {
      std::memcpy(&out[i], &a.data[i * 8], 8);
    }
  }
  return out;
}

io::NpyArray labels_npy(const std::vector<int64_t>& labels) {
  io::NpyArray a;
  a.dtype = io::NpyDtype::kI8;
  a.shape = {labels.size()};
  a.data.resize(labels.size() * 8);
  if (!labels.empty()) std::memcpy(a.data.data(), labels.data(), a.data.size());
  return a;
}

std::string opt_num(const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : std::string(); }

// The first output element of a step outside its bound, as text (for the diagnostics).
std::string failing_element(const kernels::Tensors& in, const kernels::Tensors& out, const kernels::MlpShape& shape,
                            const kernels::FlagValues& f) {
  kernels::MlpStepParams p;
  p.sgd = f.at("sgd") == 1;
  p.h.lr = f.at("lr"), p.h.beta1 = f.at("beta1"), p.h.beta2 = f.at("beta2"), p.h.eps = f.at("eps");
  p.h.weight_decay = f.at("weight-decay"), p.h.step = static_cast<uint64_t>(f.at("step"));
  const kernels::Reference ref = kernels::reference_mlp_step(in, shape, p);
  for (const auto& [name, ev] : ref)
    for (uint64_t i = 0; i < ev.size(); ++i) {
      const double got = out.at(name).value(i);
      if (!(std::fabs(got - ev[i].v) <= ev[i].e))
        return fmt::format("{}[{}] = {} but fp64 gives {} with bound {}", name, i, got, ev[i].v, ev[i].e);
    }
  return "(non-finite)";
}

int run_train(const TrainOptions& o) {
  if (o.model != "mlp") throw InputError(fmt::format("unknown model '{}': tessera train knows 'mlp'", o.model));
  const CoreConfig& config = preset(o.common.config);
  check_mode(o.common);
  // --trace-on-mismatch re-runs the command with --trace, which train does not take.
  if (!o.common.trace.empty() || !o.common.timeline.empty() || !o.common.trace_on_mismatch.empty())
    throw InputError(
        "--trace, --timeline and --trace-on-mismatch are not supported by tessera train (use tessera run mlp_step)");
  if (o.steps < 1) throw InputError(fmt::format("--steps must be at least 1, not {}", o.steps));
  if (o.micro_batch < 1) throw InputError(fmt::format("--micro-batch must be at least 1, not {}", o.micro_batch));
  const bool sgd = o.optimizer == "sgd";
  if (!sgd && o.optimizer != "adamw")
    throw InputError(fmt::format("--optimizer must be adamw or sgd, not '{}'", o.optimizer));
  const double lr = o.lr_opt->count() ? o.lr : (sgd ? 0.1 : 1e-3);
  if (!std::isfinite(lr) || lr < 0 || lr > 1e6) throw InputError(fmt::format("--lr must be in [0, 1e6], not {}", lr));

  const kernels::InputFiles files = load_input_files(o.common.ins);
  const std::map<std::string, size_t> rank = {{"x", 2}, {"y", 1}, {"w1", 2}, {"b1", 1}, {"w2", 2}, {"b2", 1}};
  for (const auto& [name, f] : files) {
    if (!rank.count(name))
      throw InputError(fmt::format("--in {}: tessera train mlp takes x, y, w1, b1, w2, b2", name));
    if (f.array.shape.size() != rank.at(name))
      throw InputError(fmt::format("{}: '{}' must be {}-D, has shape {}", f.path, name, rank.at(name),
                                   kernels::shape_text(f.array.shape)));
  }
  kernels::MlpShape shape;
  shape.batch = resolve_size("batch", o.batch_opt, o.batch, files, {{"x", 0}, {"y", 0}});
  shape.in = resolve_size("in-features", o.in_opt, o.in, files, {{"x", 1}, {"w1", 1}});
  shape.hidden = resolve_size("hidden", o.hidden_opt, o.hidden, files, {{"w1", 0}, {"b1", 0}, {"w2", 1}});
  shape.classes = resolve_size("classes", o.classes_opt, o.classes, files, {{"w2", 0}, {"b2", 0}});
  shape.micro_batch = static_cast<uint64_t>(o.micro_batch);
  const uint64_t B = shape.batch, D = shape.in, H = shape.hidden, C = shape.classes;

  // Inputs: files where given, else the documented initialization from --seed.
  const uint64_t seed = o.common.seed;
  std::map<std::string, HostTensor> params;
  const std::map<std::string, std::pair<std::vector<uint64_t>, double>> init = {
      {"w1", {{H, D}, 1 / std::sqrt(static_cast<double>(D))}},
      {"b1", {{H}, 1 / std::sqrt(static_cast<double>(D))}},
      {"w2", {{C, H}, 1 / std::sqrt(static_cast<double>(H))}},
      {"b2", {{C}, 1 / std::sqrt(static_cast<double>(H))}}};
  for (const auto& [name, si] : init) {
    const auto it = files.find(name);
    params[name] = it != files.end() ? kernels::from_npy(it->second.array, fp::Format::kFp32, it->second.path)
                                     : uniform_init(si.first, seed, name, si.second);
  }
  const auto xf = files.find("x");
  const HostTensor x = xf != files.end() ? kernels::from_npy(xf->second.array, fp::Format::kFp32, xf->second.path)
                                         : kernels::random_tensor(fp::Format::kFp32, {B, D}, seed, "x");
  std::vector<int64_t> labels;
  if (const auto yf = files.find("y"); yf != files.end()) {
    labels = labels_of(yf->second);
    for (uint64_t r = 0; r < labels.size(); ++r)
      if (labels[r] < 0 || static_cast<uint64_t>(labels[r]) >= C)
        throw InputError(fmt::format("{}: label {} of row {} is outside [0, {}) (--classes)", yf->second.path,
                                     labels[r], r, C));
  } else {
    uint64_t state = seed ^ 0x6C6162656C73ull;  // "labels"
    for (uint64_t r = 0; r < B; ++r) labels.push_back(static_cast<int64_t>(splitmix64(state) % C));
  }
  const HostTensor onehot = kernels::onehot_from_labels(labels, C);
  const std::map<std::string, HostTensor> initial = params;
  std::map<std::string, HostTensor> state;  // AdamW moments, zero at the start (PyTorch)
  if (!sgd)
    for (const auto& [name, p] : params) {
      HostTensor z{fp::Format::kFp32, p.shape, std::vector<uint8_t>(p.bytes.size(), 0)};
      state[name + "_m"] = z;
      state[name + "_v"] = z;
    }

  const kernels::KernelSpec* spec = kernels::find_kernel("mlp_step");
  if (!spec) throw std::logic_error("mlp_step is not registered");
  auto flags_for = [&](uint64_t step) {
    return kernels::flag_values(*spec, {{"batch", static_cast<double>(B)},
                                        {"in-features", static_cast<double>(D)},
                                        {"hidden", static_cast<double>(H)},
                                        {"classes", static_cast<double>(C)},
                                        {"micro-batch", static_cast<double>(shape.micro_batch)},
                                        {"lr", lr},
                                        {"step", static_cast<double>(step)},
                                        {"sgd", sgd ? 1.0 : 0.0}});
  };

  struct StepRecord {
    uint64_t step;
    float loss;
    std::optional<uint64_t> cycles;
    kernels::Check check;
  };
  std::vector<StepRecord> records;
  kernels::Check total_check;
  total_check.vs = "fp64";
  std::string first_failure;  // the first element outside its bound
  bool compared = false;  // timed modes: each step's outputs against the reference model's
  std::string first_difference;
  uint64_t pe_flops = 0, dram_bytes = 0, cycles_total = 0;
  bool timed = false;
  nlohmann::json last_step;
  const bool progress = isatty(STDERR_FILENO) != 0;
  std::optional<isa::Program> program;
  for (uint64_t t = 1; t <= static_cast<uint64_t>(o.steps); ++t) {
    const kernels::FlagValues flags = flags_for(t);
    // AdamW's bias corrections are immediates of the program: one build per step (SGD: once).
    if (!program || !sgd) program = spec->build(config, flags, fp::Format::kFp32);
    std::map<std::string, HostTensor> inputs = params;
    inputs.insert(state.begin(), state.end());
    inputs["x"] = x;
    inputs["onehot"] = onehot;
    const ModeRun run = run_mode(o.common, config, *program, inputs);
    const kernels::Check check = spec->check(inputs, run.result.outputs, flags);
    StepRecord rec{t, run.result.outputs.at("loss").value(0), std::nullopt, check};
    if (run.result.timing) {
      rec.cycles = run.result.timing->cycles;
      cycles_total += run.result.timing->cycles;
      timed = true;
    }
    if (run.divergence) {
      compared = true;
      if (!run.divergence->empty() && first_difference.empty())
        first_difference = fmt::format("step {}: {}", t, *run.divergence);
    }
    if (!check.pass && first_failure.empty()) first_failure = fmt::format("step {}: {}", t, failing_element(inputs, run.result.outputs, shape, flags));
    total_check.pass = total_check.pass && check.pass;
    total_check.max_abs_err = std::max(total_check.max_abs_err, check.max_abs_err);
    total_check.max_rel_err = std::max(total_check.max_rel_err, check.max_rel_err);
    total_check.max_ulp = std::max(total_check.max_ulp, check.max_ulp);
    total_check.bound = check.bound;
    pe_flops += run.result.stats.flops;
    dram_bytes += run.result.stats.dram_bytes;
    for (auto& [name, p] : params) p = run.result.outputs.at(name);
    for (auto& [name, s] : state) s = run.result.outputs.at(name);
    if (t == static_cast<uint64_t>(o.steps))
      last_step = make_report("mlp_step", config, o.common.mode, run.result, check, run.divergence,
                              kernels::mlp_step_model_flops(shape));
    if (progress)
      fmt::print(stderr, "\rtrain mlp: step {}/{} loss {:.6g}{}", t, o.steps, rec.loss,
                 rec.cycles ? fmt::format(" cycles {}", *rec.cycles) : std::string());
    records.push_back(rec);
  }
  if (progress) fmt::print(stderr, "\n");
  const std::optional<std::string> divergence = compared ? std::optional(first_difference) : std::nullopt;

  // Report.
  using nlohmann::json;
  const uint64_t model_flops = kernels::mlp_step_model_flops(shape) * static_cast<uint64_t>(o.steps);
  json r;
  r["command"] = "train mlp";
  r["kernel"] = "mlp_step";
  r["config"] = config.name;
  r["mode"] = o.common.mode;
  r["optimizer"] = sgd ? "sgd" : "adamw";
  r["hyperparameters"] = sgd ? json{{"lr", lr}}
                             : json{{"lr", lr}, {"betas", {0.9, 0.999}}, {"eps", 1e-8}, {"weight_decay", 0.01}};
  r["steps"] = o.steps;
  r["batch"] = B;
  r["in_features"] = D;
  r["hidden"] = H;
  r["classes"] = C;
  r["seed"] = seed;
  r["inputs"] = json::object();
  for (const std::string& name : kTrainInputs)
    r["inputs"][name] = files.count(name) ? files.at(name).path : std::string("seed");
  json per_step = json::array(), losses = json::array();
  for (const StepRecord& s : records) {
    per_step.push_back({{"step", s.step},
                        {"loss", s.loss},
                        {"cycles", s.cycles ? json(*s.cycles) : json(nullptr)},
                        {"check", {{"pass", s.check.pass}, {"max_abs_err", s.check.max_abs_err}}}});
    losses.push_back(s.loss);
  }
  r["loss"] = losses;
  r["per_step"] = per_step;
  r["cycles"] = timed ? json(cycles_total) : json(nullptr);
  r["cycles_per_step"] = timed ? json(static_cast<double>(cycles_total) / static_cast<double>(o.steps)) : json(nullptr);
  r["seconds"] = timed ? json(static_cast<double>(cycles_total) / (static_cast<double>(config.clock_mhz) * 1e6))
                       : json(nullptr);
  r["flops"] = model_flops;
  r["flops_basis"] = "model: 2 B (2 D H + 3 H C) per step (forward 2 matmuls, backward 3)";
  r["pe_flops"] = pe_flops;
  const double peak = 2.0 * static_cast<double>(config.rows * config.cols) * static_cast<double>(cycles_total);
  r["mfu"] = timed && cycles_total ? json(static_cast<double>(model_flops) / peak) : json(nullptr);
  r["dram_bytes"] = dram_bytes;
  r["check"] = {{"pass", total_check.pass},       {"first_failure", first_failure},       {"max_abs_err", total_check.max_abs_err},
                {"max_rel_err", total_check.max_rel_err}, {"max_ulp", total_check.max_ulp},
                {"vs", total_check.vs},           {"bound", total_check.bound}};
  if (divergence) r["vs_ref"] = {{"bit_exact", divergence->empty()}, {"first_difference", *divergence}};
  r["last_step"] = last_step;
  json outs = json::object();
  for (const auto& [name, t] : params)
    outs[name] = {{"shape", t.shape}, {"dtype", fp::info(t.dtype).name}, {"sha256", sha256_hex(t.bytes)}};
  r["outputs"] = outs;

  // Outputs: staged, committed only when everything is written.
  std::string csv = "step,loss,cycles\n";
  for (const StepRecord& s : records) csv += fmt::format("{},{:.9g},{}\n", s.step, s.loss, opt_num(s.cycles));
  std::optional<io::OutputDir> out;
  if (!o.common.out_dir.empty()) {
    out.emplace(o.common.out_dir);
    auto write_text = [&](const std::string& name, const std::string& text) {
      const std::string path = out->stage(name);
      std::ofstream f(path, std::ios::binary);
      f << text;
      f.close();
      if (!f) throw InputError(fmt::format("cannot write {}/{}", o.common.out_dir, name));
    };
    write_text("loss.csv", csv);
    write_text("report.json", r.dump(2) + "\n");
    for (const auto& [name, t] : params) io::write_npy_staged(*out, name + ".npy", kernels::to_npy(t));
    // The inputs as used, so that a seeded run can be replayed (e.g. in PyTorch).
    io::write_npy_staged(*out, "x.npy", kernels::to_npy(x));
    io::write_npy_staged(*out, "y.npy", labels_npy(labels));
    for (const auto& [name, t] : initial) io::write_npy_staged(*out, name + "_init.npy", kernels::to_npy(t));
  }
  if (!o.common.report.empty()) write_file_atomic(o.common.report, r.dump(2) + "\n");
  if (out) out->commit();

  fmt::print("train mlp on {} ({} mode, {}, lr {}): B {} D {} H {} C {}\n", config.name, o.common.mode,
             sgd ? "sgd" : "adamw", lr, B, D, H, C);
  fmt::print("  {:>5} {:>14} {:>10}\n", "step", "loss", "cycles");
  for (const StepRecord& s : records)
    fmt::print("  {:>5} {:>14.9g} {:>10}\n", s.step, s.loss, s.cycles ? std::to_string(*s.cycles) : std::string("-"));
  fmt::print("  flops {}  cycles {}  mfu {}\n", model_flops, timed ? std::to_string(cycles_total) : "-",
             r["mfu"].is_null() ? std::string("-") : fmt::format("{:.4f}", r["mfu"].get<double>()));
  fmt::print("  check vs fp64 (every step): {} (max_abs_err {:.3g})\n", total_check.pass ? "pass" : "FAIL",
             total_check.max_abs_err);
  if (!first_failure.empty()) fmt::print("  first element outside its bound: {}\n", first_failure);
  if (divergence)
    fmt::print("  vs ref: {}\n", divergence->empty() ? std::string("bit-exact") : "DIFFERS at " + *divergence);
  const bool same = !divergence || divergence->empty();
  return total_check.pass && same ? kExitOk : kExitCheckFailed;
}

}  // namespace

Runner add_train_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("train", "Train a model on the simulated core, every step on the core");
  auto o = std::make_shared<TrainOptions>();
  sub->add_option("MODEL", o->model, "Model: mlp")->required();
  add_common_run_options(*sub, o->common);
  sub->add_option("--steps", o->steps, "Training steps (default 10)");
  o->batch_opt = sub->add_option("--batch", o->batch, "Batch B (default 32, or from x / y)");
  o->in_opt = sub->add_option("--in-features", o->in, "In features D (default 32, or from x / w1)");
  o->hidden_opt = sub->add_option("--hidden", o->hidden, "Hidden features H (default 64, or from w1 / b1 / w2)");
  o->classes_opt = sub->add_option("--classes", o->classes, "Classes C (default 10, or from w2 / b2)");
  sub->add_option("--micro-batch", o->micro_batch,
                  "Rows per pass: a larger batch runs in passes, gradients summed in SBUF (default 256)");
  o->lr_opt = sub->add_option("--lr", o->lr, "Learning rate (default 1e-3 for adamw, 0.1 for sgd)");
  sub->add_option("--optimizer", o->optimizer, "adamw (PyTorch AdamW, betas 0.9/0.999, eps 1e-8, wd 0.01) or sgd")
      ->check(CLI::IsMember({"adamw", "sgd"}));
  return [o] { return run_train(*o); };
}

}  // namespace tessera::cli
