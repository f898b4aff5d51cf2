// placement.hpp — where a memory need goes on a group of GPUs: the one answer to "does it fit
// on these GPUs, how, and how many of a kind does it take", shared by every command.
//
// A need (the components of one estimate) is split the way the engine splits it:
//  - tensor parallel (vLLM, SGLang): TP x PP ranks with equal shares, so the smallest GPU bounds
//    the group. TP must divide the attention heads and either divide the KV heads or be a
//    multiple of them; past the KV heads each rank holds one replicated KV head
//    (vllm/model_executor/layers/linear.py QKVParallelLinear, v0.11.0). MLA's latent cache is
//    one shared head, replicated on every TP rank (vllm/v1/kv_cache_interface.py MLAAttentionSpec).
//    Weights divide over TP x PP, activations over TP, the runtime repeats on each GPU.
//  - layer split (llama.cpp --split-mode layer, accelerate device_map="auto"): layers go to each
//    GPU in proportion to the room left after its own compute buffer (activations) and runtime.
//  - even (the rule method): the whole need divides evenly, the rules' "N GPUs hold need / N".
//  - data parallel (a training plan): the training estimate is already per GPU (ZeRO, TP, PP);
//    each GPU of the plan holds it.
//
//   GpuGroup group{{&rtx4090, &rtx4090}, Bytes{0}};
//   Placement p = place(components, shape_of(arch), SplitPolicy::tensor_parallel, group);
//   p.fits; p.layout.tp == 2; layout_text(p.layout) == "TP 2"; p.per_gpu_max <= 24564 MiB
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vramest/estimate.hpp"
#include "vramest/gpu.hpp"
#include "vramest/kv_cache.hpp"
#include "vramest/model.hpp"
#include "vramest/units.hpp"

namespace vramest {

struct GpuGroup {
  std::vector<const GpuSpec*> gpus;  // one entry per GPU (repeat a spec for N of a kind)
  Bytes reserve;                     // per GPU: a display, other processes (--reserve)
};

enum class SplitPolicy { even, tensor_parallel, layer_split, data_parallel };

constexpr std::string_view split_policy_name(SplitPolicy policy) {
  switch (policy) {
    case SplitPolicy::even: return "even";
    case SplitPolicy::tensor_parallel: return "tensor_parallel";
    case SplitPolicy::layer_split: return "layer_split";
    case SplitPolicy::data_parallel: return "data_parallel";
  }
  return "even";
}

// How each engine spreads one model over several GPUs.
constexpr SplitPolicy split_policy(Engine engine) {
  return engine == Engine::vllm ? SplitPolicy::tensor_parallel : SplitPolicy::layer_split;
}

// What the model allows a tensor-parallel split to do (zero: unknown, any degree).
struct ParallelShape {
  std::uint64_t heads = 0;
  std::uint64_t kv_heads = 0;
  std::uint64_t layers = 0;
  bool mla = false;
};

inline ParallelShape shape_of(const ModelArch& arch) {
  return {arch.heads, arch.kv_heads, arch.layer_count(), arch.mla.has_value()};
}

// A tensor-parallel degree vLLM accepts: it divides the attention heads and the KV heads, or is a
// multiple of the KV heads (then KV heads replicate); MLA has no KV heads to divide.
inline bool valid_tensor_parallel(const ParallelShape& shape, std::uint64_t tp) {
  if (tp == 0) return false;
  if (shape.heads == 0) return true;
  if (shape.heads % tp != 0) return false;
  return shape.mla || shape.kv_heads == 0 || shape.kv_heads % tp == 0 || tp % shape.kv_heads == 0;
}

struct Layout {
  SplitPolicy policy = SplitPolicy::even;
  std::uint64_t gpus = 1;
  std::uint64_t tp = 1;  // tensor-parallel degree (0 with pp 0: no layout suits the model)
  std::uint64_t pp = 1;  // pipeline-parallel degree
  bool realizable() const { return tp != 0 && pp != 0; }
};

// "1 GPU", "TP 4", "TP 2 x PP 2", "PP 3", "layer split over 3 GPUs", "split over 2 GPUs",
// "DP 4 x TP 2".
inline std::string layout_text(const Layout& layout) {
  if (!layout.realizable()) return "no TP x PP layout over " + std::to_string(layout.gpus) + " GPUs";
  if (layout.gpus == 1) return "1 GPU";
  switch (layout.policy) {
    case SplitPolicy::even: return "split over " + std::to_string(layout.gpus) + " GPUs";
    case SplitPolicy::layer_split: return "layer split over " + std::to_string(layout.gpus) + " GPUs";
    case SplitPolicy::tensor_parallel:
    case SplitPolicy::data_parallel: {
      std::vector<std::string> parts;
      const std::uint64_t dp = layout.gpus / (layout.tp * layout.pp);
      if (dp > 1) parts.push_back("DP " + std::to_string(dp));
      if (layout.tp > 1) parts.push_back("TP " + std::to_string(layout.tp));
      if (layout.pp > 1) parts.push_back("PP " + std::to_string(layout.pp));
      std::string text;
      for (const std::string& p : parts) text += (text.empty() ? "" : " x ") + p;
      return text;
    }
  }
  return "";
}

struct Placement {
  Layout layout;
  std::vector<Components> per_gpu;  // what each GPU of the group holds, in the group's order
  Components all;                   // summed over the GPUs
  Bytes per_gpu_max;                // the most any one GPU holds
  bool fits = false;                // every GPU holds its share plus the reserve
};

namespace placement_detail {

inline Components divide(const Components& c, std::uint64_t weights_by, std::uint64_t kv_by,
                         std::uint64_t act_by) {
  return {Bytes{ceil_div(c.weights.count, weights_by)},   Bytes{ceil_div(c.kv_cache.count, kv_by)},
          Bytes{ceil_div(c.activations.count, act_by)},   Bytes{ceil_div(c.gradients.count, weights_by)},
          Bytes{ceil_div(c.optimizer.count, weights_by)}, c.runtime,
          Bytes{ceil_div(c.other.count, weights_by)}};
}

inline void finish(Placement& p, const GpuGroup& group) {
  p.fits = p.layout.realizable() && !group.gpus.empty();
  p.all = {};
  p.per_gpu_max = {};
  for (std::size_t i = 0; i < p.per_gpu.size(); ++i) {
    const Components& c = p.per_gpu[i];
    p.all = {p.all.weights + c.weights,     p.all.kv_cache + c.kv_cache,   p.all.activations + c.activations,
             p.all.gradients + c.gradients, p.all.optimizer + c.optimizer, p.all.runtime + c.runtime,
             p.all.other + c.other};
    const Bytes used = c.sum();
    p.per_gpu_max = std::max(p.per_gpu_max, used);
    const Bytes memory = group.gpus[i]->memory;
    if (group.reserve >= memory || used > memory - group.reserve) p.fits = false;
  }
}

inline Placement tensor_parallel(const Components& need, const ParallelShape& shape, const GpuGroup& group,
                                 std::uint64_t tp, std::uint64_t pp) {
  Placement p;
  p.layout = {SplitPolicy::tensor_parallel, group.gpus.size(), tp, pp};
  const std::uint64_t kv_tp = shape.mla ? 1 : shape.kv_heads == 0 ? tp : std::min(tp, shape.kv_heads);
  const Components share = divide(need, tp * pp, kv_tp * pp, tp);
  p.per_gpu.assign(group.gpus.size(), share);
  finish(p, group);
  return p;
}

inline Placement layer_split(const Components& need, const GpuGroup& group) {
  Placement p;
  p.layout = {SplitPolicy::layer_split, group.gpus.size(), 1, 1};
  const Bytes fixed = need.activations + need.runtime + group.reserve;
  std::vector<std::uint64_t> room;
  std::uint64_t room_total = 0;
  for (const GpuSpec* gpu : group.gpus) {
    room.push_back(gpu->memory > fixed ? (gpu->memory - fixed).count : 0);
    room_total = checked_add(room_total, room.back());
  }
  // Layers go where there is room; with no room anywhere, evenly (it fits nowhere either way).
  const auto share = [&](Bytes total, std::size_t i) {
    if (room_total == 0) return Bytes{ceil_div(total.count, group.gpus.size())};
    return Bytes{mul_div_ceil(total.count, room[i], room_total)};
  };
  for (std::size_t i = 0; i < group.gpus.size(); ++i) {
    p.per_gpu.push_back({share(need.weights, i), share(need.kv_cache, i), need.activations,
                         share(need.gradients, i), share(need.optimizer, i), need.runtime,
                         share(need.other, i)});
  }
  finish(p, group);
  // Proportional shares round up; the split fits whenever the whole fits in the room.
  if (p.layout.gpus > 1 && room_total != 0 &&
      std::all_of(room.begin(), room.end(), [](std::uint64_t r) { return r > 0; })) {
    const Bytes sharded = need.weights + need.kv_cache + need.gradients + need.optimizer + need.other;
    p.fits = sharded.count <= room_total;
  }
  return p;
}

}  // namespace placement_detail

// The need placed on the group. Tensor parallel tries TP x PP layouts from the widest TP down and
// keeps the first that fits (else the widest realizable one, not fitting).
inline Placement place(const Components& need, const ParallelShape& shape, SplitPolicy policy,
                       const GpuGroup& group) {
  using namespace placement_detail;
  if (group.gpus.empty()) throw Error(ErrorCode::usage, "no GPU to place the model on");
  const std::uint64_t n = group.gpus.size();
  Placement p;
  switch (policy) {
    case SplitPolicy::even:
      p.layout = {policy, n, 1, 1};
      p.per_gpu.assign(n, divide(need, n, n, n));
      for (Components& c : p.per_gpu) c.runtime = Bytes{ceil_div(need.runtime.count, n)};
      finish(p, group);
      return p;
    case SplitPolicy::data_parallel:
      p.layout = {policy, n, 1, 1};
      p.per_gpu.assign(n, need);
      finish(p, group);
      return p;
    case SplitPolicy::layer_split: return layer_split(need, group);
    case SplitPolicy::tensor_parallel: {
      std::optional<Placement> first_realizable;
      for (std::uint64_t tp = n; tp >= 1; --tp) {
        if (n % tp != 0 || !valid_tensor_parallel(shape, tp)) continue;
        const std::uint64_t pp = n / tp;
        if (shape.layers != 0 && pp > shape.layers) continue;
        Placement candidate = tensor_parallel(need, shape, group, tp, pp);
        if (candidate.fits) return candidate;
        if (!first_realizable) first_realizable = std::move(candidate);
      }
      if (first_realizable) return *first_realizable;
      p.layout = {policy, n, 0, 0};
      p.per_gpu.assign(n, need);
      finish(p, group);
      return p;
    }
  }
  return p;
}

// The fewest GPUs of one kind that hold the need (count 0: none up to the search's limit), and
// how they hold it.
struct GpuFit {
  const GpuSpec* gpu = nullptr;
  std::uint64_t count = 0;
  Layout layout;  // of `count` GPUs
};

inline constexpr std::uint64_t kFewestGpusSearch = 64;  // tensor-parallel counts tried past the bound

inline GpuFit fewest_of_kind(const Components& need, const ParallelShape& shape, SplitPolicy policy,
                             const GpuSpec& gpu, Bytes reserve, std::uint64_t limit = kMaxGpus) {
  GpuFit fit{&gpu, 0, {}};
  const auto fits_on = [&](std::uint64_t n) {
    const Placement p = place(need, shape, policy, GpuGroup{std::vector<const GpuSpec*>(n, &gpu), reserve});
    if (p.fits) {
      fit.count = n;
      fit.layout = p.layout;
    }
    return p.fits;
  };
  if (reserve >= gpu.memory) return fit;
  const std::uint64_t room = (gpu.memory - reserve).count;
  // No split puts less than need / n on a GPU, so counts below the even share never fit.
  const std::uint64_t lower = std::max<std::uint64_t>(1, ceil_div(need.sum().count, room));
  if (lower > limit) return fit;
  if (policy == SplitPolicy::data_parallel) {
    fits_on(1);
    return fit;
  }
  if (policy == SplitPolicy::even) {
    fits_on(lower);
    return fit;
  }
  if (policy == SplitPolicy::layer_split) {
    // Each GPU keeps its own buffers: n fits when the sharded part fits n x (room - buffers).
    const Bytes fixed = need.activations + need.runtime;
    if (fixed.count >= room) return fit;
    const Bytes sharded = need.weights + need.kv_cache + need.gradients + need.optimizer + need.other;
    const std::uint64_t n = std::max<std::uint64_t>(1, ceil_div(sharded.count, room - fixed.count));
    if (n <= limit) fits_on(n);
    return fit;
  }
  for (std::uint64_t n = lower; n <= std::min(limit, lower + kFewestGpusSearch); ++n) {
    if (fits_on(n)) return fit;
  }
  return fit;
}

}  // namespace vramest
