// Owns a verilated model's context, reset and clock, so that testbenches do not repeat them.
// Models follow the house convention: clk_i, and rst_ni asynchronous active low.
#pragma once

#include <cstdint>
#include <memory>

#include "verilated.h"

namespace tessera::tb {

template <typename Model>
class SimCtrl {
 public:
  // Registers without a reset start from random values unless told otherwise, so tests see
  // what reset really clears.
  explicit SimCtrl(bool random_initial_values = true) : context_(std::make_unique<VerilatedContext>()) {
    if (random_initial_values) context_->randReset(2);
    model_ = std::make_unique<Model>(context_.get());
  }
  ~SimCtrl() { model_->final(); }
  SimCtrl(const SimCtrl&) = delete;
  SimCtrl& operator=(const SimCtrl&) = delete;

  Model& dut() { return *model_; }
  VerilatedContext& context() { return *context_; }
  uint64_t cycle() const { return cycle_; }

  // A falling edge of rst_ni with the clock low, then release.
  void reset() {
    model_->clk_i = 0;
    model_->rst_ni = 1;
    model_->eval();
    model_->rst_ni = 0;
    model_->eval();
    model_->rst_ni = 1;
    model_->eval();
  }

  // One clock cycle: inputs set before it are sampled at its rising edge.
  void tick() {
    model_->clk_i = 1;
    model_->eval();
    model_->clk_i = 0;
    model_->eval();
    ++cycle_;
  }

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  uint64_t cycle_ = 0;
};

}  // namespace tessera::tb
