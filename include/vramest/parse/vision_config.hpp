// parse/vision_config.hpp — the vision tower and projector of a vision-language config.json.
//
// A multimodal checkpoint loads its vision encoder and projector beside the language model; they
// are counted apart (ModelArch::towers) and their weights go on the GPU with the rest. Each tower
// kind is a ViT whose tensors its transformers modeling file fixes:
//  - clip_vision_model (LLaVA, LLaVA-NeXT: modeling_clip.py CLIPVisionTransformer), with the
//    LlavaMultiModalProjector (linear_1, GELU, linear_2, biases) and LLaVA-NeXT's image_newline;
//  - qwen2_vl (Qwen2VisionTransformerPretrainedModel), qwen2_5_vl (RMSNorm, SwiGLU blocks) and
//    qwen3_vl (learned positions, DeepStack mergers), each with its patch merger.
// Other towers are named in a note and not counted.
//
//   std::vector<Tower> towers = vision_towers(config, 4096, "config.json");
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vramest/error.hpp"
#include "vramest/model.hpp"
#include "vramest/units.hpp"

namespace vramest {

namespace vision_detail {

class VisionReader {
 public:
  VisionReader(const nlohmann::json& object, std::string origin)
      : object_(object), origin_(std::move(origin)) {}

  std::uint64_t count(const char* key, std::uint64_t fallback) const {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return fallback;
    if (!it->is_number_unsigned()) {
      throw Error(ErrorCode::bad_file, "expected a non-negative integer", {},
                  origin_ + ":/vision_config/" + key);
    }
    const std::uint64_t v = it->get<std::uint64_t>();
    if (v > (1ULL << 24))
      throw Error(ErrorCode::bad_file, "is absurdly large", {}, origin_ + ":/vision_config/" + key);
    return v;
  }
  std::uint64_t list_size(const char* key) const {
    const auto it = object_.find(key);
    return it != object_.end() && it->is_array() ? it->size() : 0;
  }

 private:
  const nlohmann::json& object_;
  std::string origin_;
};

// One ViT block: two norms, attention with biases, an MLP (plain with biases, or SwiGLU with biases).
inline std::uint64_t vit_block(std::uint64_t h, std::uint64_t inner, bool layer_norm, bool swiglu) {
  const std::uint64_t norms = 2 * (layer_norm ? 2 * h : h);
  const std::uint64_t attention = 4 * h * h + 4 * h;
  const std::uint64_t mlp = swiglu ? 3 * h * inner + 2 * inner + h : 2 * h * inner + inner + h;
  return norms + attention + mlp;
}

}  // namespace vision_detail

// The towers of `root` (a whole config.json); empty when it has none vramest can count.
inline std::vector<Tower> vision_towers(const nlohmann::json& root, std::uint64_t text_hidden,
                                        const std::string& origin) {
  using vision_detail::vit_block;
  std::vector<Tower> towers;
  if (!root.is_object() || !root.contains("vision_config") || !root["vision_config"].is_object())
    return towers;
  const nlohmann::json& vc = root["vision_config"];
  const vision_detail::VisionReader v(vc, origin);
  const std::string outer = root.value("model_type", std::string());
  const std::string inner = vc.value("model_type", std::string());
  const auto add = [&](TowerKind kind, const char* name, std::uint64_t params, std::uint64_t hidden,
                       std::uint64_t layers) {
    towers.push_back({kind, name, params, hidden, layers});
  };

  if (inner == "clip_vision_model" && (outer == "llava" || outer == "llava_next")) {
    const std::uint64_t h = v.count("hidden_size", 768);
    const std::uint64_t mlp = v.count("intermediate_size", 3072);
    const std::uint64_t layers = v.count("num_hidden_layers", 12);
    const std::uint64_t patch = std::max<std::uint64_t>(1, v.count("patch_size", 32));
    const std::uint64_t side = v.count("image_size", 224) / patch;
    // class embedding, a bias-free patch convolution, positions for every patch and the class
    // token, pre and post LayerNorms.
    const std::uint64_t embeddings = h + 3 * patch * patch * h + (side * side + 1) * h;
    add(TowerKind::vision, "clip",
        checked_add(embeddings + 4 * h, checked_mul(layers, vit_block(h, mlp, true, false))), h, layers);
    std::uint64_t projector = h * text_hidden + text_hidden + text_hidden * text_hidden + text_hidden;
    if (outer == "llava_next") projector += text_hidden;  // image_newline
    add(TowerKind::projector, "llava projector", projector, text_hidden, 0);
    return towers;
  }
  if (outer == "qwen2_vl" || outer == "qwen2_5_vl") {
    const bool v25 = outer == "qwen2_5_vl";
    const std::uint64_t h = v25 ? v.count("hidden_size", 1280) : v.count("embed_dim", 1280);
    const std::uint64_t mlp = v25 ? v.count("intermediate_size", 3420) : h * v.count("mlp_ratio", 4);
    const std::uint64_t layers = v.count("depth", 32);
    const std::uint64_t patch = v.count("patch_size", 14);
    const std::uint64_t temporal = v.count("temporal_patch_size", 2);
    const std::uint64_t merge = v.count("spatial_merge_size", 2);
    const std::uint64_t out =
        v25 ? v.count("out_hidden_size", text_hidden) : v.count("hidden_size", text_hidden);
    const std::uint64_t patch_embed = 3 * temporal * patch * patch * h;  // Conv3d without bias
    add(TowerKind::vision, v25 ? "qwen2.5-vl vit" : "qwen2-vl vit",
        checked_add(patch_embed, checked_mul(layers, vit_block(h, mlp, !v25, v25))), h, layers);
    const std::uint64_t merged = h * merge * merge;  // ln_q, then a 2-layer MLP over 2x2 patches
    add(TowerKind::projector, "patch merger",
        (v25 ? h : 2 * h) + merged * merged + merged + merged * out + out, out, 0);
    return towers;
  }
  if (outer == "qwen3_vl" || outer == "qwen3_vl_moe") {
    const std::uint64_t h = v.count("hidden_size", 1152);
    const std::uint64_t mlp = v.count("intermediate_size", 4304);
    const std::uint64_t layers = v.count("depth", 27);
    const std::uint64_t patch = v.count("patch_size", 16);
    const std::uint64_t temporal = v.count("temporal_patch_size", 2);
    const std::uint64_t merge = v.count("spatial_merge_size", 2);
    const std::uint64_t out = v.count("out_hidden_size", text_hidden);
    // A biased Conv3d patch embedding and learned positions.
    const std::uint64_t embeddings =
        3 * temporal * patch * patch * h + h + v.count("num_position_embeddings", 2304) * h;
    add(TowerKind::vision, "qwen3-vl vit",
        checked_add(embeddings, checked_mul(layers, vit_block(h, mlp, true, false))), h, layers);
    const std::uint64_t merged = h * merge * merge;
    const std::uint64_t mlp2 = merged * merged + merged + merged * out + out;
    // The merger normalizes before the shuffle (over h); each DeepStack merger after it (over 4h).
    const std::uint64_t deepstack = v.list_size("deepstack_visual_indexes");
    add(TowerKind::projector, "patch mergers", 2 * h + mlp2 + deepstack * (2 * merged + mlp2), out, 0);
    return towers;
  }
  return towers;
}

}  // namespace vramest
