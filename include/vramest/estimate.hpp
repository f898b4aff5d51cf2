// estimate.hpp — the result every method produces: a memory breakdown and its range.
//
// Components always sum to `total`; `low`/`high` bound it (equal when a method gives a point):
//
//   Estimate e = rule_estimate(model, Mode::inference, find_precision("fp16"), {});
//   assert(e.components.sum() == e.total && e.low <= e.total && e.total <= e.high);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/suggest.hpp"
#include "vramest/units.hpp"

namespace vramest {

enum class Mode { inference, train, lora, qlora };
enum class Method { rule, detailed };

constexpr std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::inference: return "inference";
    case Mode::train: return "train";
    case Mode::lora: return "lora";
    case Mode::qlora: return "qlora";
  }
  return "inference";
}

constexpr std::string_view method_name(Method method) { return method == Method::rule ? "rule" : "detailed"; }

// What the estimate is of. `params` counts every stored parameter; `active_params` those used per
// token (equal for dense models). `source` says where the numbers came from.
struct ModelRef {
  std::string name;
  std::uint64_t params = 0;
  std::uint64_t active_params = 0;
  std::string source;  // "parameter count", later "catalog", "config.json", "gguf", ...
};

// The JSON contract's component names, in its order.
struct Components {
  Bytes weights;
  Bytes kv_cache;
  Bytes activations;
  Bytes gradients;
  Bytes optimizer;
  Bytes runtime;  // outside the framework's allocator: CUDA context, workspaces, allocator slack
  Bytes other;

  Bytes sum() const { return weights + kv_cache + activations + gradients + optimizer + runtime + other; }
};

struct Estimate {
  ModelRef model;
  Mode mode = Mode::inference;
  Method method = Method::rule;
  std::string precision;                 // a Precision id
  std::optional<std::uint64_t> context;  // tokens; unset where the method does not model it
  std::optional<std::uint64_t> batch;
  Components components;
  Bytes total;
  Bytes low;
  Bytes high;
  std::string basis;  // one line: the rule or formula behind the total
};

}  // namespace vramest
