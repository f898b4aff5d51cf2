#include "vramest/formats.hpp"

#include <catch2/catch.hpp>

#include "support/catalog_models.hpp"
#include "vramest/parse/hf_config.hpp"

using namespace vramest;

namespace {

using test::arch_of;

double gib(const ModelArch& arch, const char* format) {
  return to_gib(weight_breakdown(arch, parse_weight_format(format)).total);
}

double bits_per_weight(const GgmlType& t) {
  return 8.0 * static_cast<double>(t.block_bytes) / static_cast<double>(t.block_weights);
}

}  // namespace

// ggml-common.h block layouts (formulas.md 6.1).
TEST_CASE("formats: ggml types at their real bits per weight", "[formats]") {
  CHECK(bits_per_weight(ggml("q4_0")) == 4.5);
  CHECK(bits_per_weight(ggml("q8_0")) == 8.5);
  CHECK(bits_per_weight(ggml("q2_k")) == 2.625);
  CHECK(bits_per_weight(ggml("q3_k")) == 3.4375);
  CHECK(bits_per_weight(ggml("q4_k")) == 4.5);
  CHECK(bits_per_weight(ggml("q5_k")) == 5.5);
  CHECK(bits_per_weight(ggml("q6_k")) == 6.5625);
  CHECK(bits_per_weight(ggml("iq2_xxs")) == 2.0625);
  CHECK(bits_per_weight(ggml("iq3_xxs")) == 3.0625);
  CHECK(bits_per_weight(ggml("iq4_xs")) == 4.25);
  CHECK(bits_per_weight(ggml("mxfp4")) == 4.25);
  CHECK(find_ggml_type(12u)->name == "q4_k");
  CHECK(find_ggml_type(4u) == nullptr);  // removed Q4_2
}

// tools/quantize/quantize.cpp lists each mix's size for Llama-3-8B in GiB ("G"). llama.cpp's
// per-tensor rules (output Q6_K, attn_v/ffn_down Q6_K on more-bits layers...) must reproduce them.
TEST_CASE("formats: llama.cpp mixes reproduce the published Llama-3-8B sizes", "[formats]") {
  const ModelArch llama3 = arch_of("llama-3-8b");
  const std::pair<const char*, double> published[] = {
      {"q2_k", 2.96},   {"q3_k_s", 3.41}, {"q3_k_m", 3.74}, {"q3_k_l", 4.03}, {"q4_0", 4.34},
      {"q4_k_s", 4.37}, {"q4_1", 4.78},   {"q4_k_m", 4.58}, {"q5_0", 5.21},   {"q5_k_s", 5.21},
      {"q5_k_m", 5.33}, {"q5_1", 5.65},   {"q6_k", 6.14},   {"q8_0", 7.96},
  };
  for (const auto& [mix, size_gib] : published) {
    INFO(mix);
    CHECK(gib(llama3, mix) == Approx(size_gib).epsilon(0.005));
  }
}

TEST_CASE("formats: a mix keeps the output head and sensitive tensors at higher precision", "[formats]") {
  const WeightBreakdown q4km = weight_breakdown(arch_of("llama-3-8b"), parse_weight_format("q4_k_m"));
  REQUIRE(q4km.by_type.count("q6_k") == 1);
  // Output (128256 x 4096 in Q6_K) plus attn_v and ffn_down on the "more bits" layers: i < n/8,
  // i >= 7n/8, or (i - n/8) % 3 == 2 -> 4 + 4 + 8 = 16 of 32 layers.
  const std::uint64_t output = 128256ULL * 4096 / 256 * 210;
  const std::uint64_t attn_v = 1024ULL * 4096 / 256 * 210;
  const std::uint64_t ffn_down = 4096ULL * 14336 / 256 * 210;
  CHECK(q4km.by_type.at("q6_k").count == output + 16 * (attn_v + ffn_down));
  CHECK(q4km.by_type.at("f32").count == (32 * 2 + 1) * 4096ULL * 4);  // norms stay F32
}

TEST_CASE("formats: rows that do not fill a block fall back as llama.cpp does", "[formats]") {
  // gpt-oss: hidden 2880 is not a multiple of 256, so Q4_K becomes Q5_0 and the output Q8_0.
  const WeightBreakdown w = weight_breakdown(arch_of("gpt-oss-20b"), parse_weight_format("q4_k_m"));
  CHECK(w.by_type.count("q5_0") == 1);
  CHECK(w.by_type.count("q8_0") == 1);
}

// QLoRA (arXiv:2305.14314 section 3): NF4 stores 4 bits + an fp32 absmax per 64 weights = 4.5
// bits; double quantization stores the absmax in 8 bits per 256 blocks: ~4.127 bits.
TEST_CASE("formats: Hugging Face quantization at its real bits", "[formats]") {
  const ModelArch llama = arch_of("llama-3.1-8b");
  TensorShape q{TensorRole::attn_q, 0, 4096, 4096, 1};
  const auto bpw = [&](const char* format) {
    return 8.0 * static_cast<double>(tensor_storage(parse_weight_format(format), llama, q).bytes) /
           (4096.0 * 4096.0);
  };
  CHECK(bpw("nf4") == 4.5);
  CHECK(bpw("nf4-dq") == Approx(4.127).epsilon(0.001));
  // GPTQ g128: 4 + (16 + 4)/128 + 32/4096 (qweight, qzeros, scales, g_idx) = 4.164 bits.
  CHECK(bpw("gptq") == Approx(4.0 + 20.0 / 128 + 32.0 / 4096).epsilon(1e-9));
  CHECK(bpw("awq") == Approx(4.0 + 20.0 / 128).epsilon(1e-9));
  CHECK(bpw("gptq-8bit-g32") == Approx(8.0 + 24.0 / 32 + 32.0 / 4096).epsilon(1e-9));
  CHECK(bpw("int8") == Approx(8.0 + 32.0 / 4096).epsilon(1e-9));  // LLM.int8(): fp32 scale per row
  CHECK(bpw("fp8-b128") == Approx(8.0 + 32.0 / (128 * 128)).epsilon(1e-9));
  CHECK(bpw("mxfp4") == 4.25);
  // Embeddings, the head and norms stay 16-bit.
  TensorShape head{TensorRole::output, -1, 4096, 128256, 1};
  CHECK(tensor_storage(parse_weight_format("nf4"), llama, head).bytes == 2ULL * 4096 * 128256);
}

// gpt-oss stores MoE experts in MXFP4 and the rest in bf16: the published checkpoints hold
// 13,761,264,768 B (20b) and 65,248,815,744 B (120b) (models.md, safetensors total_size).
TEST_CASE("formats: gpt-oss in MXFP4 matches its published checkpoint size", "[formats]") {
  CHECK(weight_breakdown(arch_of("gpt-oss-20b"), parse_weight_format("mxfp4")).total.count ==
        13'761'264'768ULL);
  CHECK(weight_breakdown(arch_of("gpt-oss-120b"), parse_weight_format("mxfp4")).total.count ==
        65'248'815'744ULL);
}

TEST_CASE("formats: fewer bits never take more memory", "[formats][property]") {
  for (const char* id : {"llama-3.1-8b", "qwen3-30b-a3b", "gemma-3-4b", "deepseek-v2-lite"}) {
    const ModelArch arch = arch_of(id);
    INFO(id);
    CHECK(gib(arch, "q2_k") <= gib(arch, "q4_k_m"));
    CHECK(gib(arch, "q4_k_m") <= gib(arch, "q8_0"));
    CHECK(gib(arch, "q8_0") <= gib(arch, "bf16"));
    CHECK(gib(arch, "nf4") <= gib(arch, "int8"));
    CHECK(gib(arch, "bf16") <= gib(arch, "fp32"));
  }
}

TEST_CASE("formats: names parse, with variants and did you mean", "[formats]") {
  CHECK(parse_weight_format("GPTQ").id == "gptq-4bit-g128");
  CHECK(parse_weight_format("awq-4bit-g64").group == 64);
  CHECK(parse_weight_format("gptq-4bit-g-1").group == 0);
  CHECK(parse_weight_format("Q4_K_M").gguf_base == "q4_k");
  for (const char* bad : {"gptq-5bit", "gptq-4bit-g0", "gptq-g", "awq-4bits", "q4_k_x", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_weight_format(bad), Error);
  }
  try {
    (void)parse_weight_format("q4_k_n");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.hint() == "did you mean 'q4_k_m'?");
  }
}
