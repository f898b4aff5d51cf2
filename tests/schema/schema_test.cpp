// Schema tests: docs/vramest.schema.json describes every document `--json` writes (README "JSON
// output"), tests/support/json_schema.hpp checks documents against it, and the real binary's
// output, for every command and every exit code, must validate. A field the schema does not list
// fails here: document it in the README and the schema, or do not emit it.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/json_schema.hpp"
#include "support/model_files.hpp"
#include "support/read_text.hpp"

using vramest::test::JsonSchema;
using vramest::test::SchemaError;
using Json = nlohmann::json;

namespace {

const std::string& schema_path() {
  static const std::string path = std::string(VRAMEST_DATA_DIR) + "/../docs/vramest.schema.json";
  return path;
}

const JsonSchema& vramest_schema() {
  static const JsonSchema schema(Json::parse(vramest::test::read_text(schema_path())));
  return schema;
}

std::string describe(const std::vector<SchemaError>& errors) {
  std::string text;
  for (const SchemaError& e : errors) text += "  " + e.to_string() + "\n";
  return text;
}

// The first error at `pointer` with `keyword`, or nullptr.
const SchemaError* find_error(const std::vector<SchemaError>& errors, const std::string& pointer,
                              const std::string& keyword) {
  for (const SchemaError& e : errors) {
    if (e.instance_pointer == pointer && e.keyword == keyword) return &e;
  }
  return nullptr;
}

std::vector<SchemaError> validate(const char* schema_text, const char* instance_text) {
  return JsonSchema(Json::parse(schema_text)).validate(Json::parse(instance_text));
}

// ---- schema conventions, checked over the whole schema ----------------------------------------

// Calls visit(name, schema, path) for every entry of every "properties" object in the schema.
template <typename Visit>
void for_each_property(const Json& node, const std::string& path, Visit&& visit) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const std::string at = path + "/" + JsonSchema::escape_pointer_token(key);
      if (key == "properties" && value.is_object()) {
        for (const auto& [name, sub] : value.items()) {
          const std::string sub_path = at + "/" + JsonSchema::escape_pointer_token(name);
          visit(name, sub, sub_path);
          for_each_property(sub, sub_path, visit);
        }
      } else {
        for_each_property(value, at, visit);
      }
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      for_each_property(node[i], path + "/" + std::to_string(i), visit);
  }
}

// {"type": "integer", "minimum": 0}, optionally nullable: the shape every byte count must have.
bool is_byte_count(const Json& schema) {
  if (!schema.is_object() || schema.value("minimum", Json()) != Json(0)) return false;
  const Json type = schema.value("type", Json());
  return type == Json("integer") || type == Json::array({"integer", "null"});
}

// ---- running the real binary ------------------------------------------------------------------

std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (const char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct Run {
  int exit_code = -1;
  std::string out;
  std::string shown;  // the command line, for failure messages
};

// Colour off and no user data directory from the environment, as the golden tests run it.
Run run_vramest(const std::vector<std::string>& args) {
  char scratch[] = "/tmp/vramest-schema-XXXXXX";
  const int fd = mkstemp(scratch);
  REQUIRE(fd >= 0);
  close(fd);
  const std::string out_path = scratch;
  Run run;
  run.shown = "vramest";
  std::string command = "NO_COLOR=1 VRAMEST_DATA_DIR= " + shell_quote(VRAMEST_BINARY);
  for (const std::string& arg : args) {
    command += " " + shell_quote(arg);
    run.shown += " " + arg;
  }
  command += " >" + shell_quote(out_path) + " 2>/dev/null";
  const int status = std::system(command.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = vramest::test::read_text(out_path);
  std::remove(out_path.c_str());
  return run;
}

// Files some invocations need: a config.json, broken ones, a directory without one, a user GPU
// catalog and a broken one. Made once under a fresh temporary directory, removed at exit.
class Scratch {
 public:
  Scratch() {
    char dir[] = "/tmp/vramest-schema-data-XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    root_ = dir;
    make_dir("config");
    write("config/config.json",
          R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
              "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
              "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768,
              "tie_word_embeddings": true, "torch_dtype": "bfloat16"})");
    make_dir("config-broken");
    write("config-broken/config.json", R"({"model_type": "llama", "hidden_size": 4096,)");
    make_dir("config-missing");
    write("config-missing/config.json", R"({"model_type": "llama", "hidden_size": 4096})");
    make_dir("empty");
    make_dir("user");
    write(
        "user/gpus.json",
        R"({"schema_version": 1, "gpus": [{"id": "lab-card", "name": "Lab card", "memory_bytes": 10737418240}]})");
    make_dir("files");
    {  // a small Llama-shaped GGUF and a safetensors checkpoint, data sparse
      const auto gguf = vramest::test::llama_like_gguf(2, 256, 4, 2, 64, 512, 1000, false);
      vramest::test::write_gguf(path("files/tiny.gguf"), gguf.metadata, gguf.tensors);
      made_.push_back(path("files/tiny.gguf"));
      make_dir("files/st");
      write("files/st/config.json", R"({"model_type": "llama", "hidden_size": 256, "intermediate_size": 512,
          "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000,
          "tie_word_embeddings": true})");
      vramest::test::write_safetensors(
          path("files/st/model.safetensors"),
          vramest::test::llama_like_safetensors(2, 256, 4, 2, 64, 512, 1000, true));
      made_.push_back(path("files/st/model.safetensors"));
      write("files/broken.gguf", "GGUF");
    }
    make_dir("user-broken");
    write("user-broken/gpus.json",
          R"({"schema_version": 1, "gpus": [{"id": "half-card", "name": "Half", "memory_bytes": "12 GB"}]})");
  }
  ~Scratch() {
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) std::remove(it->c_str());
    if (!root_.empty()) std::remove(root_.c_str());
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  bool ok() const { return !root_.empty(); }
  std::string path(const std::string& relative) const { return root_ + "/" + relative; }

 private:
  void make_dir(const std::string& relative) {
    if (mkdir(path(relative).c_str(), 0700) == 0) made_.push_back(path(relative));
  }
  void write(const std::string& relative, const std::string& text) {
    std::ofstream(path(relative), std::ios::binary) << text;
    made_.push_back(path(relative));
  }

  std::string root_;
  std::vector<std::string> made_;  // in creation order; removed in reverse
};

const Scratch& scratch() {
  static const Scratch files;
  return files;
}

struct Invocation {
  std::vector<std::string> args;
  int exit_code;
  const char* kind;  // the $defs document it must be
};

// The document must parse, validate against the schema's top level (exactly one kind), and be of
// the kind expected, with the expected exit status.
void check_invocation(const Invocation& inv) {
  const Run run = run_vramest(inv.args);
  INFO("$ " << run.shown << "\nexit: " << run.exit_code);
  CHECK(run.exit_code == inv.exit_code);
  Json doc;
  try {
    doc = Json::parse(run.out);
  } catch (const Json::parse_error& e) {
    FAIL("stdout is not one JSON document: " << e.what() << "\n" << run.out.substr(0, 400));
  }
  const std::vector<SchemaError> errors = vramest_schema().validate(doc);
  INFO("schema errors:\n" << describe(errors));
  CHECK(errors.empty());
  const std::vector<SchemaError> kind_errors = vramest_schema().validate(doc, inv.kind);
  INFO("errors against " << inv.kind << ":\n" << describe(kind_errors));
  CHECK(kind_errors.empty());
  if (doc.contains("error")) CHECK(doc["error"].value("exit_code", -1) == run.exit_code);
}

void check_all(const std::vector<Invocation>& invocations) {
  REQUIRE(scratch().ok());
  for (const Invocation& inv : invocations) {
    std::string name;
    for (const std::string& arg : inv.args) name += (name.empty() ? "" : " ") + arg;
    DYNAMIC_SECTION(name) { check_invocation(inv); }
  }
}

}  // namespace

// ---- (a) the schema itself --------------------------------------------------------------------

TEST_CASE("schema: the schema parses, every $ref resolves and it uses only implemented keywords",
          "[schema]") {
  const std::string text = vramest::test::read_text(schema_path());
  INFO("schema file: " << schema_path());
  REQUIRE_FALSE(text.empty());
  const JsonSchema schema(Json::parse(text));
  const std::vector<std::string> problems = schema.schema_problems();
  std::string listed;
  for (const std::string& p : problems) listed += "  " + p + "\n";
  INFO("problems:\n" << listed);
  CHECK(problems.empty());

  const std::vector<std::string> refs = schema.refs();
  CHECK(refs.size() > 20);
  for (const std::string& ref : refs) {
    INFO("$ref " << ref);
    CHECK(ref.rfind("#/$defs/", 0) == 0);
    CHECK(schema.root()["$defs"].contains(ref.substr(8)));
  }
}

TEST_CASE("schema: the top level is one of every document kind and no definition is unused", "[schema]") {
  const Json& root = vramest_schema().root();
  CHECK(root.value("$schema", "") == "https://json-schema.org/draft/2020-12/schema");
  CHECK(root.contains("$id"));
  CHECK(root.contains("title"));
  const std::set<std::string> kinds = {"error_document",
                                       "rule_estimate_document",
                                       "detailed_estimate_document",
                                       "training_estimate_document",
                                       "estimates_document",
                                       "analysis_document",
                                       "gpus_document",
                                       "models_document",
                                       "formats_document",
                                       "fit_document",
                                       "inspect_document"};
  std::set<std::string> top;
  for (const Json& branch : root["oneOf"]) top.insert(branch.value("$ref", "").substr(8));
  CHECK(top == kinds);

  const std::vector<std::string> refs = vramest_schema().refs();
  const std::set<std::string> used(refs.begin(), refs.end());
  for (const auto& [name, def] : root["$defs"].items()) {
    INFO("$defs/" << name);
    // sweep_row describes a JSON line, not a document: tests validate lines against it directly.
    if (name != "sweep_row") CHECK(used.count("#/$defs/" + name) == 1);
  }
}

TEST_CASE("schema: every field has a description and every byte count is a non-negative integer",
          "[schema]") {
  int byte_fields = 0;
  for_each_property(vramest_schema().root(), "#",
                    [&](const std::string& name, const Json& sub, const std::string& at) {
                      INFO(at);
                      CHECK(sub.is_object());
                      // A field described by its $ref carries its description there.
                      const bool by_ref = sub.contains("$ref");
                      CHECK((by_ref || sub.contains("description")));
                      // README: "All sizes are integer bytes."
                      if (name.find("bytes") != std::string::npos) {
                        ++byte_fields;
                        const Json& shape = sub.value("type", Json()) == Json("array") ? sub["items"] : sub;
                        CHECK(is_byte_count(shape));
                      }
                    });
  CHECK(byte_fields > 30);
  const Json& defs = vramest_schema().root()["$defs"];
  // The components are byte counts without "bytes" in their names.
  for (const auto& [name, sub] : defs["components"]["properties"].items()) {
    INFO("components." << name);
    CHECK(is_byte_count(sub));
  }
  for (const auto& [name, def] : defs.items()) {
    INFO("$defs/" << name);
    CHECK(def.contains("description"));
  }
}

// ---- (b) the validator ----------------------------------------------------------------------

TEST_CASE("json_schema: a missing required field is named at its object's pointer", "[schema]") {
  const auto errors = validate(
      R"({"type": "object", "properties": {"model": {"type": "object", "required": ["name", "params"]}}})",
      R"({"model": {"name": "14B"}})");
  INFO(describe(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/model");
  CHECK(errors[0].keyword == "required");
  CHECK(errors[0].message.find("\"params\"") != std::string::npos);
  CHECK(errors[0].schema_path == "#/properties/model");
}

TEST_CASE("json_schema: a wrong type is named at the value's pointer", "[schema]") {
  const auto errors = validate(
      R"({"properties": {"gpus": {"items": {"properties": {"memory_bytes": {"type": "integer"}}}}}})",
      R"({"gpus": [{"memory_bytes": 1}, {"memory_bytes": "24 GB"}]})");
  INFO(describe(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/gpus/1/memory_bytes");
  CHECK(errors[0].keyword == "type");
  CHECK(errors[0].message == "expected \"integer\", got string");
}

TEST_CASE("json_schema: an integer must be written as one, and type lists accept any member", "[schema]") {
  CHECK(validate(R"({"type": "integer"})", "16060522496").empty());
  CHECK(validate(R"({"type": "integer"})", "-3").empty());
  // The draft would accept 1.0 as an integer; consumers decoding into int64 would not.
  const auto floats = validate(R"({"type": "integer"})", "16060522496.0");
  REQUIRE(floats.size() == 1);
  CHECK(floats[0].keyword == "type");
  CHECK(validate(R"({"type": "number"})", "16060522496.0").empty());
  CHECK(validate(R"({"type": "number"})", "7").empty());
  CHECK(validate(R"({"type": ["integer", "null"]})", "null").empty());
  CHECK(validate(R"({"type": ["integer", "null"]})", "\"0\"").size() == 1);
  CHECK(validate(R"({"type": "boolean"})", "0").size() == 1);
}

TEST_CASE("json_schema: an extra property is named at its own pointer when additionalProperties is false",
          "[schema]") {
  const auto errors = validate(
      R"({"properties": {"gpus": {"items": {"properties": {"id": {}}, "additionalProperties": false}}}})",
      R"({"gpus": [{"id": "rtx-4090", "tdp_watts": 450}]})");
  INFO(describe(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/gpus/0/tdp_watts");
  CHECK(errors[0].keyword == "additionalProperties");

  // A schema for additional properties checks each of them instead.
  const auto typed = validate(R"({"additionalProperties": {"type": "integer", "minimum": 0}})",
                              R"({"bf16": 16060522496, "q4_k": -1})");
  REQUIRE(typed.size() == 1);
  CHECK(typed[0].instance_pointer == "/q4_k");
  CHECK(typed[0].keyword == "minimum");
  CHECK(typed[0].schema_path == "#/additionalProperties");
}

TEST_CASE("json_schema: oneOf matching none names the pointer and the closest alternative's errors",
          "[schema]") {
  const char* schema = R"({
    "properties": {"doc": {"oneOf": [{"$ref": "#/$defs/error"}, {"$ref": "#/$defs/gpus"}]}},
    "$defs": {
      "error": {"type": "object", "required": ["schema_version", "error"]},
      "gpus": {"type": "object", "properties": {"gpus": {"type": "array"}}, "required": ["gpus"]}
    }})";
  const auto errors = validate(schema, R"({"doc": {"gpus": {}}})");
  INFO(describe(errors));
  const SchemaError* none = find_error(errors, "/doc", "oneOf");
  REQUIRE(none != nullptr);
  CHECK(none->message.find("matches none of the 2") != std::string::npos);
  CHECK(none->message.find("#/$defs/gpus") != std::string::npos);
  // The closest alternative (one error, against two for "error") follows, at its own pointer.
  const SchemaError* detail = find_error(errors, "/doc/gpus", "type");
  REQUIRE(detail != nullptr);
  CHECK(detail->schema_path == "#/$defs/gpus/properties/gpus");
  CHECK(errors.size() == 2);
}

TEST_CASE("json_schema: oneOf matching two alternatives names the pointer and both", "[schema]") {
  const auto errors = validate(R"({"items": {"oneOf": [{"type": "integer"}, {"minimum": 0}]}})", "[-1, 5]");
  INFO(describe(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/1");
  CHECK(errors[0].keyword == "oneOf");
  CHECK(errors[0].message.find("matches 2 alternatives (#/items/oneOf/0, #/items/oneOf/1)") !=
        std::string::npos);
  // anyOf is satisfied by either.
  CHECK(validate(R"({"items": {"anyOf": [{"type": "integer"}, {"minimum": 0}]}})", "[-1, 5]").empty());
  const auto neither = validate(R"({"anyOf": [{"type": "integer"}, {"type": "null"}]})", "\"x\"");
  REQUIRE_FALSE(neither.empty());
  CHECK(neither[0].keyword == "anyOf");
}

TEST_CASE("json_schema: a const or enum mismatch is named at the value's pointer", "[schema]") {
  const auto errors =
      validate(R"({"properties": {"schema_version": {"const": 1}, "mode": {"enum": ["train", "lora"]}}})",
               R"({"schema_version": 2, "mode": "qlora"})");
  INFO(describe(errors));
  REQUIRE(errors.size() == 2);
  const SchemaError* version = find_error(errors, "/schema_version", "const");
  REQUIRE(version != nullptr);
  CHECK(version->message == "expected 1, got 2");
  CHECK(find_error(errors, "/mode", "enum") != nullptr);
  // Numbers compare by value, as JSON Schema says: 1 and 1.0 are the same constant.
  CHECK(validate(R"({"const": 1})", "1.0").empty());
}

TEST_CASE("json_schema: minimum compares integers exactly, also beyond 2^53", "[schema]") {
  CHECK(validate(R"({"minimum": 0})", "0").empty());
  CHECK(validate(R"({"minimum": 0})", "18446744073709551615").empty());
  CHECK(validate(R"({"minimum": 9007199254740993})", "9007199254740992").size() == 1);
  CHECK(validate(R"({"minimum": 9007199254740993})", "9007199254740993").empty());
  CHECK(validate(R"({"minimum": 0})", "-1").size() == 1);
  CHECK(validate(R"({"minimum": 0.5})", "0.25").size() == 1);
  CHECK(validate(R"({"minimum": -2})", "-1").empty());
  // minimum says nothing about non-numbers.
  CHECK(validate(R"({"minimum": 0})", "\"-1\"").empty());
}

TEST_CASE("json_schema: pointers escape / and ~ in property names", "[schema]") {
  const auto errors = validate(R"({"additionalProperties": {"type": "integer"}})", R"({"a/b~c": "x"})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].instance_pointer == "/a~1b~0c");
}

TEST_CASE("json_schema: $ref resolves #/$defs/NAME, reports anything else, and a cycle ends", "[schema]") {
  CHECK(validate(R"({"$ref": "#/$defs/n", "$defs": {"n": {"type": "integer"}}})", "3").empty());
  CHECK(validate(R"({"$ref": "#/$defs/n", "$defs": {"n": {"type": "integer"}}})", "\"3\"").size() == 1);
  // Siblings of $ref are checked too (draft 2020-12).
  CHECK(validate(R"({"$ref": "#/$defs/n", "minimum": 5, "$defs": {"n": {"type": "integer"}}})", "3").size() ==
        1);

  const auto missing = validate(R"({"properties": {"a": {"$ref": "#/$defs/nowhere"}}})", R"({"a": 1})");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].keyword == "$ref");
  CHECK(missing[0].instance_pointer == "/a");
  CHECK(validate(R"({"$ref": "other.json#/x"})", "1").size() == 1);

  const auto cycle = validate(R"({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}})", "1");
  REQUIRE(cycle.size() == 1);
  CHECK(cycle[0].message.find("cycle") != std::string::npos);

  // A definition can be targeted directly.
  const JsonSchema schema(Json::parse(R"({"$defs": {"n": {"type": "integer"}}})"));
  CHECK(schema.validate(Json(1), "n").empty());
  CHECK(schema.validate(Json("1"), "n").size() == 1);
  CHECK(schema.validate(Json(1), "missing").size() == 1);
}

TEST_CASE("json_schema: boolean schemas and annotations", "[schema]") {
  CHECK(validate("true", R"({"anything": [1, 2]})").empty());
  CHECK(validate("false", "null").size() == 1);
  CHECK(validate(R"({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:x", "title": "t",
                     "description": "d"})",
                 "1")
            .empty());
}

TEST_CASE("json_schema: schema_problems reports unimplemented keywords, bad shapes and dangling refs",
          "[schema]") {
  const JsonSchema schema(Json::parse(R"({
    "oneOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/b"}],
    "$defs": {
      "a": {"type": "string", "maxLength": 3},
      "b": {"type": "integr", "required": "x"},
      "c": {"properties": {"x": {}}, "required": ["x", "y"], "additionalProperties": false}
    }})"));
  const std::vector<std::string> problems = schema.schema_problems();
  std::string listed;
  for (const std::string& p : problems) listed += p + "\n";
  INFO(listed);
  CHECK(listed.find("#/$defs/a/maxLength: keyword not implemented") != std::string::npos);
  CHECK(listed.find("#/$defs/b/type: unknown type \"integr\"") != std::string::npos);
  CHECK(listed.find("#/$defs/b/required: must be an array") != std::string::npos);
  CHECK(listed.find("#/$defs/c/required: \"y\" is required but not among the allowed properties") !=
        std::string::npos);
  CHECK(problems.size() == 4);
  CHECK(JsonSchema(Json::parse(R"({"$ref": "#/$defs/zz"})")).schema_problems().size() == 1);
}

TEST_CASE("json_schema: odd instances give errors, never exceptions", "[schema]") {
  // Invalid UTF-8 can only come from code, not from parse(); messages quote it with replacements.
  std::vector<SchemaError> errors;
  CHECK_NOTHROW(errors = JsonSchema(Json::parse(R"({"const": "a"})")).validate(Json("\xff\xfe")));
  CHECK(errors.size() == 1);
  Json deep = Json::array();
  for (int i = 0; i < 50; ++i) deep = Json::array({deep});
  for (const Json& odd : {Json(), Json(-1), Json(1e308), Json::object(), deep, Json::binary({1, 2}),
                          Json::parse(R"({"schema_version": 1, "estimates": [null, {}], "error": 7})")}) {
    CHECK_NOTHROW(errors = vramest_schema().validate(odd));
    CHECK_FALSE(errors.empty());
  }
}

// ---- (c) the real binary's documents ---------------------------------------------------------

TEST_CASE("schema: the rule method's documents validate", "[schema][binary]") {
  check_all({
      {{"14B", "--json"}, 0, "analysis_document"},
      {{"1.5T", "--gpu", "rtx-4090", "--json"}, 1, "analysis_document"},
      {{"llama-3.1-8b", "--method", "rule", "--json"}, 0, "analysis_document"},
      {{"7B", "-p", "all", "--json"}, 0, "estimates_document"},
      {{"7B", "-p", "all", "--gpu", "rtx-4070-ti", "--json"}, 0, "estimates_document"},
      {{"14B", "-p", "fp16", "--gpu", "rtx-3090", "--json"}, 1, "rule_estimate_document"},
      {{"14B", "-p", "fp16", "--gpu", "rtx-3090", "--gpus", "2", "--json"}, 0, "rule_estimate_document"},
      {{"14B", "-p", "int8", "--gpu", "rtx-4090", "--json"}, 0, "rule_estimate_document"},
      {{"70b", "-p", "int4", "--overhead", "1.25", "--json"}, 0, "rule_estimate_document"},
      {{"14B", "--mode", "train", "--json"}, 0, "rule_estimate_document"},
      {{"14B", "--mode", "lora", "--units", "gib", "--json"}, 0, "rule_estimate_document"},
      {{"llama-3.1-8b", "--method", "rule", "-p", "bf16", "--json"}, 0, "rule_estimate_document"},
  });
}

TEST_CASE("schema: detailed inference documents validate for every engine", "[schema][binary]") {
  check_all({
      {{"llama-3.1-8b", "--json"}, 0, "detailed_estimate_document"},
      {{"meta-llama/Llama-3.1-8B", "-c", "8192", "--gpu", "rtx-4090", "--json"},
       0,
       "detailed_estimate_document"},
      {{"qwen3-8b", "--engine", "vllm", "--gpu", "rtx-4090", "--json"}, 0, "detailed_estimate_document"},
      {{"qwen3-8b", "-c", "32k", "-b", "4", "--engine", "vllm", "--gpu", "rtx-4090", "--json"},
       1,
       "detailed_estimate_document"},
      {{"deepseek-v3", "--engine", "vllm", "--gpu", "h200", "--gpus", "8", "--json"},
       0,
       "detailed_estimate_document"},
      {{"meta-llama/Llama-3.1-70B", "-p", "q4_k_m", "--engine", "llamacpp", "-c", "32k", "--kv-dtype", "q8_0",
        "--gpu", "rtx-4090", "--gpus", "2", "--json"},
       0,
       "detailed_estimate_document"},
      {{"gpt-oss-20b", "--engine", "llamacpp", "-c", "131072", "--ubatch", "2048", "--json"},
       0,
       "detailed_estimate_document"},
      {{"gemma-3-27b", "--json"}, 0, "detailed_estimate_document"},
      {{scratch().path("config"), "-c", "8192", "--json"}, 0, "detailed_estimate_document"},
  });
}

TEST_CASE("schema: training documents validate for full fine-tuning, LoRA and QLoRA", "[schema][binary]") {
  check_all({
      {{"llama-3.1-8b", "--mode", "qlora", "--json"}, 0, "training_estimate_document"},
      {{"llama-3.1-8b", "--mode", "qlora", "--gpu", "rtx-4090", "--json"}, 1, "training_estimate_document"},
      {{"llama-3.1-8b", "--mode", "lora", "--lora-targets", "all-linear", "--lora-rank", "64", "--json"},
       0,
       "training_estimate_document"},
      {{"llama-3.1-70b", "--mode", "train", "--gpus", "8", "--zero", "3", "--json"},
       0,
       "training_estimate_document"},
      {{"llama-3.1-8b", "--mode", "train", "--gpus", "4", "--zero", "3", "--offload", "params", "--optimizer",
        "adamw-8bit", "--grad-checkpointing", "full", "--gpu", "a100-80gb", "--json"},
       0,
       "training_estimate_document"},
  });
}

// sweep writes JSON lines, not one document: every line must be a sweep_row.
TEST_CASE("schema: every sweep JSON line validates as a sweep row", "[schema][binary]") {
  const Run run =
      run_vramest({"sweep", "--models", "llama-3.1-8b,qwen3-30b-a3b", "--contexts", "4k,128k", "--batches",
                   "1,16", "--gpus", "rtx-4090,h100-sxm", "--engine", "vllm", "--output", "jsonl"});
  REQUIRE(run.exit_code == 0);
  std::istringstream lines(run.out);
  int rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) {
    INFO(line);
    const std::vector<SchemaError> errors = vramest_schema().validate(Json::parse(line), "sweep_row");
    CHECK(errors.empty());
  }
  CHECK(rows == 16);
}

TEST_CASE("schema: catalog listings validate", "[schema][binary]") {
  check_all({
      {{"gpus", "--json"}, 0, "gpus_document"},
      {{"gpus", "--segment", "consumer", "--json"}, 0, "gpus_document"},
      {{"gpus", "--data-dir", scratch().path("user"), "--json"}, 0, "gpus_document"},
      {{"models", "--json"}, 0, "models_document"},
      {{"models", "--family", "qwen", "--json"}, 0, "models_document"},
      {{"formats", "--json"}, 0, "formats_document"},
  });
}

TEST_CASE("schema: inspect documents and estimates from model files validate", "[schema][binary]") {
  check_all({
      {{"inspect", scratch().path("files/tiny.gguf"), "--json"}, 0, "inspect_document"},
      {{"inspect", scratch().path("files/st"), "--json", "--top", "2"}, 0, "inspect_document"},
      {{scratch().path("files/tiny.gguf"), "--json"}, 0, "detailed_estimate_document"},
      {{scratch().path("files/st"), "--engine", "vllm", "--json"}, 0, "detailed_estimate_document"},
      {{"inspect", scratch().path("files/broken.gguf"), "--json"}, 4, "error_document"},
      {{"inspect", scratch().path("nowhere.gguf"), "--json"}, 4, "error_document"},
  });
}

TEST_CASE("schema: fit documents validate, fitting or not, with and without speed and offload",
          "[schema][binary]") {
  check_all({
      {{"fit", "llama-3.1-8b", "--gpu", "rtx-4090", "--json"}, 0, "fit_document"},
      {{"fit", "llama-3.1-8b", "--gpu", "rtx-4090", "--engine", "llamacpp", "-c", "32k", "--json"},
       0,
       "fit_document"},
      {{"fit", "qwen3-30b-a3b", "-p", "q4_k_m", "--engine", "llamacpp", "--gpu-memory", "16GiB", "--json"},
       1,
       "fit_document"},
      {{"fit", "llama-3.1-70b", "--gpu", "rtx-4090", "--gpu", "rtx-3090", "--json"}, 1, "fit_document"},
      {{"fit", "deepseek-v3", "--gpu", "rtx-3060-12gb", "--json"}, 1, "fit_document"},
      {{"fit", "mixtral-8x7b", "--gpu", "apple-m2-ultra-192gb", "--json"}, 0, "fit_document"},
      {{"fit", "llama-3.1-8b", "--gpu", "lab-card", "--data-dir", scratch().path("user"), "--json"},
       1,
       "fit_document"},
  });
}

TEST_CASE("schema: error documents validate for exit codes 2, 3 and 4", "[schema][binary]") {
  check_all({
      {{"14B", "--bogus", "--json"}, 2, "error_document"},
      {{"14B", "--fsdp", "--json"}, 2, "error_document"},
      {{"14B", "--gpus", "2", "--json"}, 0, "analysis_document"},
      {{"fit", "llama-3.1-8b", "--json"}, 2, "error_document"},
      {{"sweep", "--models", "llama-3.1-8b", "--json"}, 2, "error_document"},
      {{"14X", "--json"}, 3, "error_document"},
      {{"14B", "-p", "int4", "--mode", "qlora", "--json"}, 3, "error_document"},
      {{"llama-3.1-8b", "--gpu", "no-such-gpu", "--json"}, 3, "error_document"},
      {{scratch().path("empty"), "--json"}, 4, "error_document"},
      {{scratch().path("config-broken/config.json"), "--json"}, 4, "error_document"},
      {{scratch().path("config-missing"), "--json"}, 4, "error_document"},
      {{"gpus", "--data-dir", scratch().path("user-broken"), "--json"}, 4, "error_document"},
      {{"14B", "--data-dir", scratch().path("nowhere"), "--json"}, 4, "error_document"},
  });
}

TEST_CASE("schema: an undocumented or a missing field in a real document fails, named by pointer",
          "[schema][binary]") {
  const Run run = run_vramest({"llama-3.1-8b", "--engine", "vllm", "--gpu", "rtx-4090", "--json"});
  REQUIRE(run.exit_code == 0);
  const Json doc = Json::parse(run.out);
  REQUIRE(vramest_schema().validate(doc).empty());

  Json extra = doc;
  extra["kv_cache"]["page_tokens"] = 16;
  const auto added = vramest_schema().validate(extra, "detailed_estimate_document");
  INFO(describe(added));
  REQUIRE(added.size() == 1);
  CHECK(added[0].instance_pointer == "/kv_cache/page_tokens");
  CHECK(added[0].keyword == "additionalProperties");
  CHECK_FALSE(vramest_schema().validate(extra).empty());

  Json missing = doc;
  missing["vllm"][0].erase("kv_tokens");
  const auto removed = vramest_schema().validate(missing, "detailed_estimate_document");
  INFO(describe(removed));
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].instance_pointer == "/vllm/0");
  CHECK(removed[0].keyword == "required");

  Json fractional = doc;
  fractional["components"]["weights"] = 1.5e10;
  const auto typed = vramest_schema().validate(fractional, "detailed_estimate_document");
  REQUIRE(typed.size() == 1);
  CHECK(typed[0].instance_pointer == "/components/weights");
}
