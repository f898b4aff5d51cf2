// json_schema.hpp — test support: a small JSON Schema validator over nlohmann::json, written for
// docs/vramest.schema.json (the contract of `--json`, README "JSON output").
//
// It owns exactly the subset of draft 2020-12 that schema uses: `type` (a name or a list of
// names), `properties`, `required`, `additionalProperties` (boolean or schema), `items`, `enum`,
// `const`, `minimum`, `oneOf`, `anyOf`, and `$ref` to "#/$defs/NAME" in the same document;
// `description`, `title`, `$schema`, `$id` and the root's `$defs` are annotations. Anything else
// is reported by `schema_problems()` instead of being skipped, so the schema cannot promise a
// check that no test makes.
//
//   const vramest::test::JsonSchema schema(nlohmann::json::parse(schema_text));
//   REQUIRE(schema.schema_problems().empty());
//   for (const vramest::test::SchemaError& e : schema.validate(nlohmann::json::parse(out))) {
//     std::cerr << e.to_string() << "\n";  // /gpus/0/memory_bytes: type: expected integer, got string (at
//     #/$defs/...)
//   }
//
// One deliberate difference from the draft: "integer" accepts only numbers written as integers.
// The draft also accepts 15.0, but the contract says sizes are integer bytes, and consumers that
// decode into integer types (Go's encoding/json, Rust's serde_json) reject "15.0".
//
// Nothing throws for a well-formed schema and instance: lookups use find() and type checks, and
// values quoted in messages are dumped with invalid UTF-8 replaced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vramest::test {

// One failed check: where in the instance, which keyword, where that keyword sits in the schema.
struct SchemaError {
  std::string instance_pointer;  // JSON Pointer (RFC 6901) into the instance; "" is the whole document
  std::string keyword;           // the schema keyword that failed: "type", "required", "oneOf"...
  std::string schema_path;       // the failing schema, e.g. "#/$defs/model/properties/params"
  std::string message;

  std::string to_string() const {
    return (instance_pointer.empty() ? std::string("(document)") : instance_pointer) + ": " + keyword + ": " +
           message + " (at " + schema_path + ")";
  }
};

class JsonSchema {
 public:
  explicit JsonSchema(nlohmann::json schema) : root_(std::move(schema)) {}

  // Errors of `instance` against the root schema; empty when it validates.
  std::vector<SchemaError> validate(const nlohmann::json& instance) const {
    std::vector<SchemaError> errors;
    check(root_, "#", instance, "", 0, errors);
    return errors;
  }

  // Errors of `instance` against one of the root's "$defs", for tests aimed at one document kind.
  std::vector<SchemaError> validate(const nlohmann::json& instance, std::string_view def_name) const {
    std::vector<SchemaError> errors;
    const std::string ref = "#/$defs/" + escape_pointer_token(def_name);
    const nlohmann::json* target = resolve(ref);
    if (target == nullptr) {
      errors.push_back({"", "$ref", ref, "no such definition"});
    } else {
      check(*target, ref, instance, "", 0, errors);
    }
    return errors;
  }

  // Problems with the schema itself, one line each: a $ref that does not resolve, a keyword this
  // validator does not implement, a keyword whose value has the wrong shape, a required property
  // that additionalProperties false forbids. Empty for a schema this validator checks completely.
  std::vector<std::string> schema_problems() const {
    std::vector<std::string> problems;
    if (!root_.is_object()) {
      problems.push_back("#: the root must be an object");
      return problems;
    }
    const auto defs = root_.find("$defs");
    if (defs != root_.end()) {
      if (!defs->is_object()) {
        problems.push_back("#/$defs: must be an object");
      } else {
        for (const auto& [name, def] : defs->items()) {
          audit(def, "#/$defs/" + escape_pointer_token(name), problems);
        }
      }
    }
    audit_keywords(root_, "#", true, problems);
    return problems;
  }

  // Every "$ref" string in the schema, in document order (for tests that check coverage).
  std::vector<std::string> refs() const {
    std::vector<std::string> out;
    collect_refs(root_, out);
    return out;
  }

  const nlohmann::json& root() const { return root_; }

  // RFC 6901: "~" is written "~0" and "/" is written "~1" inside a pointer token.
  static std::string escape_pointer_token(std::string_view token) {
    std::string out;
    for (const char c : token) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
    return out;
  }

 private:
  // Recursion bound: a $ref cycle that consumes no instance depth ("a": {"$ref": "#/$defs/a"})
  // would otherwise recurse forever. vramest's documents nest about 20 schemas deep.
  static constexpr int kMaxDepth = 200;

  nlohmann::json root_;

  static std::string quote(const nlohmann::json& value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    constexpr std::size_t kMaxShown = 80;
    if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
    return text;
  }

  static std::string unescape_pointer_token(std::string_view token) {
    std::string out;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        out += token[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        out += token[i];
      }
    }
    return out;
  }

  // Only "#/$defs/NAME" in this document: the schema needs nothing else, and a remote or nested
  // reference is reported as unresolved rather than half-supported.
  const nlohmann::json* resolve(std::string_view ref) const {
    constexpr std::string_view kPrefix = "#/$defs/";
    if (ref.substr(0, kPrefix.size()) != kPrefix) return nullptr;
    const std::string_view token = ref.substr(kPrefix.size());
    if (token.empty() || token.find('/') != std::string_view::npos) return nullptr;
    if (!root_.is_object()) return nullptr;
    const auto defs = root_.find("$defs");
    if (defs == root_.end() || !defs->is_object()) return nullptr;
    const auto def = defs->find(unescape_pointer_token(token));
    if (def == defs->end()) return nullptr;
    return &*def;
  }

  static bool is_type_name(std::string_view name) {
    return name == "object" || name == "array" || name == "string" || name == "integer" || name == "number" ||
           name == "boolean" || name == "null";
  }

  static bool has_type(const nlohmann::json& value, std::string_view name) {
    if (name == "object") return value.is_object();
    if (name == "array") return value.is_array();
    if (name == "string") return value.is_string();
    if (name == "integer") return value.is_number_integer();  // see the header comment
    if (name == "number") return value.is_number();
    if (name == "boolean") return value.is_boolean();
    if (name == "null") return value.is_null();
    return false;
  }

  static std::string type_of(const nlohmann::json& value) {
    if (value.is_number_integer()) return "integer";
    if (value.is_number_float()) return "number";
    return value.type_name();
  }

  // Exact when both sides are integers; long double (64-bit mantissa or more) otherwise.
  static bool below_minimum(const nlohmann::json& value, const nlohmann::json& minimum) {
    if (value.is_number_unsigned() && minimum.is_number_integer()) {
      if (minimum.is_number_unsigned()) return value.get<std::uint64_t>() < minimum.get<std::uint64_t>();
      const std::int64_t m = minimum.get<std::int64_t>();
      return m >= 0 && value.get<std::uint64_t>() < static_cast<std::uint64_t>(m);
    }
    if (value.is_number_integer() && !value.is_number_unsigned() && minimum.is_number_integer()) {
      const std::int64_t v = value.get<std::int64_t>();
      if (minimum.is_number_unsigned())
        return v < 0 || static_cast<std::uint64_t>(v) < minimum.get<std::uint64_t>();
      return v < minimum.get<std::int64_t>();
    }
    return as_long_double(value) < as_long_double(minimum);
  }

  static long double as_long_double(const nlohmann::json& number) {
    if (number.is_number_unsigned()) return static_cast<long double>(number.get<std::uint64_t>());
    if (number.is_number_integer()) return static_cast<long double>(number.get<std::int64_t>());
    return static_cast<long double>(number.get<double>());
  }

  // base + separator + token in one allocation (paths are built once per checked value).
  static std::string join(std::string_view base, std::string_view separator, std::string_view token) {
    std::string out;
    out.reserve(base.size() + separator.size() + token.size());
    out.append(base).append(separator).append(token);
    return out;
  }

  // How a oneOf/anyOf branch is named in messages: its $ref when it is one, else its path.
  static std::string branch_label(const nlohmann::json& branch, const std::string& path) {
    if (branch.is_object()) {
      const auto ref = branch.find("$ref");
      if (ref != branch.end() && ref->is_string()) return ref->get<std::string>();
    }
    return path;
  }

  void check(const nlohmann::json& schema, const std::string& path, const nlohmann::json& instance,
             const std::string& pointer, int depth, std::vector<SchemaError>& errors) const {
    if (depth > kMaxDepth) {
      errors.push_back(
          {pointer, "$ref", path,
           "schema nested deeper than " + std::to_string(kMaxDepth) + " levels (a $ref cycle?)"});
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) errors.push_back({pointer, "false", path, "no value is allowed here"});
      return;
    }
    if (!schema.is_object()) {
      errors.push_back({pointer, "schema", path, "a schema must be an object or a boolean"});
      return;
    }

    // 2020-12 evaluates a $ref beside its sibling keywords, not instead of them.
    if (const auto ref = schema.find("$ref"); ref != schema.end()) {
      const nlohmann::json* target = ref->is_string() ? resolve(ref->get<std::string>()) : nullptr;
      if (target == nullptr) {
        errors.push_back({pointer, "$ref", path, "unresolved reference " + quote(*ref)});
      } else {
        check(*target, ref->get<std::string>(), instance, pointer, depth + 1, errors);
      }
    }

    if (const auto type = schema.find("type"); type != schema.end()) {
      bool matched = false;
      if (type->is_string()) {
        matched = has_type(instance, type->get<std::string>());
      } else if (type->is_array()) {
        for (const nlohmann::json& name : *type)
          matched = matched || (name.is_string() && has_type(instance, name.get<std::string>()));
      }
      if (!matched) {
        errors.push_back({pointer, "type", path, "expected " + quote(*type) + ", got " + type_of(instance)});
      }
    }

    if (const auto allowed = schema.find("enum"); allowed != schema.end()) {
      bool found = false;
      if (allowed->is_array()) {
        for (const nlohmann::json& candidate : *allowed) found = found || candidate == instance;
      }
      if (!found) {
        errors.push_back({pointer, "enum", path, quote(instance) + " is not one of " + quote(*allowed)});
      }
    }

    if (const auto expected = schema.find("const"); expected != schema.end() && *expected != instance) {
      errors.push_back({pointer, "const", path, "expected " + quote(*expected) + ", got " + quote(instance)});
    }

    if (const auto minimum = schema.find("minimum"); minimum != schema.end() && minimum->is_number() &&
                                                     instance.is_number() &&
                                                     below_minimum(instance, *minimum)) {
      errors.push_back(
          {pointer, "minimum", path, quote(instance) + " is below the minimum " + quote(*minimum)});
    }

    // Object keywords apply only to objects (the draft's rule: "type" alone decides the kind).
    if (instance.is_object()) check_object(schema, path, instance, pointer, depth, errors);

    if (const auto items = schema.find("items"); items != schema.end() && instance.is_array()) {
      for (std::size_t i = 0; i < instance.size(); ++i) {
        check(*items, path + "/items", instance[i], pointer + "/" + std::to_string(i), depth + 1, errors);
      }
    }

    check_alternatives(schema, path, instance, pointer, depth, errors, "anyOf");
    check_alternatives(schema, path, instance, pointer, depth, errors, "oneOf");
  }

  void check_object(const nlohmann::json& schema, const std::string& path, const nlohmann::json& instance,
                    const std::string& pointer, int depth, std::vector<SchemaError>& errors) const {
    const auto properties = schema.find("properties");
    const bool has_properties = properties != schema.end() && properties->is_object();
    if (has_properties) {
      for (const auto& [name, sub] : properties->items()) {
        const auto value = instance.find(name);
        if (value == instance.end()) continue;
        const std::string token = escape_pointer_token(name);
        check(sub, join(path, "/properties/", token), *value, join(pointer, "/", token), depth + 1, errors);
      }
    }
    if (const auto required = schema.find("required"); required != schema.end() && required->is_array()) {
      for (const nlohmann::json& name : *required) {
        if (name.is_string() && !instance.contains(name.get<std::string>())) {
          errors.push_back({pointer, "required", path, "missing property " + quote(name)});
        }
      }
    }
    if (const auto additional = schema.find("additionalProperties"); additional != schema.end()) {
      for (const auto& [name, value] : instance.items()) {
        if (has_properties && properties->contains(name)) continue;
        const std::string token = escape_pointer_token(name);
        if (additional->is_boolean() && !additional->get<bool>()) {
          // Named at the extra property itself, so the message points at what to document.
          errors.push_back({join(pointer, "/", token), "additionalProperties", path,
                            "property " + quote(name) + " is not in the schema"});
        } else {
          check(*additional, join(path, "/additionalProperties", ""), value, join(pointer, "/", token),
                depth + 1, errors);
        }
      }
    }
  }

  void check_alternatives(const nlohmann::json& schema, const std::string& path,
                          const nlohmann::json& instance, const std::string& pointer, int depth,
                          std::vector<SchemaError>& errors, const char* keyword) const {
    const auto branches = schema.find(keyword);
    if (branches == schema.end()) return;
    const std::string here = path + "/" + keyword;
    if (!branches->is_array() || branches->empty()) {
      errors.push_back({pointer, keyword, here, "must be a non-empty array of schemas"});
      return;
    }
    std::vector<std::string> matched;
    std::vector<SchemaError> closest;
    std::string closest_label;
    bool have_closest = false;
    for (std::size_t i = 0; i < branches->size(); ++i) {
      const nlohmann::json& branch = (*branches)[i];
      const std::string branch_path = here + "/" + std::to_string(i);
      std::vector<SchemaError> branch_errors;
      check(branch, branch_path, instance, pointer, depth + 1, branch_errors);
      if (branch_errors.empty()) {
        matched.push_back(branch_label(branch, branch_path));
      } else if (!have_closest || branch_errors.size() < closest.size()) {
        // The branch with the fewest errors is most likely the kind the instance meant to be;
        // its errors say what to fix, where "matches none of 10" alone would not.
        closest = std::move(branch_errors);
        closest_label = branch_label(branch, branch_path);
        have_closest = true;
      }
    }
    const std::string kw(keyword);
    if (matched.empty()) {
      errors.push_back({pointer, kw, here,
                        "matches none of the " + std::to_string(branches->size()) +
                            " alternatives; the closest, " + closest_label + ", fails " +
                            std::to_string(closest.size()) + " check(s), listed next"});
      errors.insert(errors.end(), closest.begin(), closest.end());
    } else if (kw == "oneOf" && matched.size() > 1) {
      std::string names;
      for (const std::string& name : matched) names += (names.empty() ? "" : ", ") + name;
      errors.push_back({pointer, kw, here,
                        "matches " + std::to_string(matched.size()) + " alternatives (" + names +
                            "); exactly one must match"});
    }
  }

  // ---- schema audit -----------------------------------------------------------------------

  void audit(const nlohmann::json& schema, const std::string& path,
             std::vector<std::string>& problems) const {
    if (schema.is_boolean()) return;
    if (!schema.is_object()) {
      problems.push_back(path + ": a schema must be an object or a boolean");
      return;
    }
    audit_keywords(schema, path, false, problems);
  }

  void audit_keywords(const nlohmann::json& schema, const std::string& path, bool is_root,
                      std::vector<std::string>& problems) const {
    for (const auto& [keyword, value] : schema.items()) {
      const std::string at = path + "/" + escape_pointer_token(keyword);
      if (keyword == "description" || keyword == "title") {
        if (!value.is_string()) problems.push_back(at + ": must be a string");
      } else if (keyword == "$schema" || keyword == "$id" || keyword == "$defs") {
        if (!is_root)
          problems.push_back(at + ": only the root may carry it (this validator resolves #/$defs/NAME only)");
      } else if (keyword == "type") {
        audit_type(value, at, problems);
      } else if (keyword == "properties") {
        if (!value.is_object()) {
          problems.push_back(at + ": must be an object");
        } else {
          for (const auto& [name, sub] : value.items())
            audit(sub, at + "/" + escape_pointer_token(name), problems);
        }
      } else if (keyword == "required") {
        audit_required(schema, value, at, problems);
      } else if (keyword == "additionalProperties" || keyword == "items") {
        audit(value, at, problems);
      } else if (keyword == "enum") {
        if (!value.is_array() || value.empty()) problems.push_back(at + ": must be a non-empty array");
      } else if (keyword == "const") {
        // any value
      } else if (keyword == "minimum") {
        if (!value.is_number()) problems.push_back(at + ": must be a number");
      } else if (keyword == "oneOf" || keyword == "anyOf") {
        if (!value.is_array() || value.empty()) {
          problems.push_back(at + ": must be a non-empty array of schemas");
        } else {
          for (std::size_t i = 0; i < value.size(); ++i)
            audit(value[i], at + "/" + std::to_string(i), problems);
        }
      } else if (keyword == "$ref") {
        if (!value.is_string() || resolve(value.get<std::string>()) == nullptr) {
          problems.push_back(at + ": unresolved reference " + quote(value) + " (only #/$defs/NAME)");
        }
      } else {
        problems.push_back(at + ": keyword not implemented by tests/support/json_schema.hpp");
      }
    }
  }

  static void audit_type(const nlohmann::json& value, const std::string& at,
                         std::vector<std::string>& problems) {
    if (value.is_string()) {
      if (!is_type_name(value.get<std::string>())) problems.push_back(at + ": unknown type " + quote(value));
      return;
    }
    if (!value.is_array() || value.empty()) {
      problems.push_back(at + ": must be a type name or a non-empty array of them");
      return;
    }
    for (const nlohmann::json& name : value) {
      if (!name.is_string() || !is_type_name(name.get<std::string>())) {
        problems.push_back(at + ": unknown type " + quote(name));
      }
    }
  }

  static void audit_required(const nlohmann::json& schema, const nlohmann::json& value, const std::string& at,
                             std::vector<std::string>& problems) {
    if (!value.is_array()) {
      problems.push_back(at + ": must be an array of property names");
      return;
    }
    const auto properties = schema.find("properties");
    const auto additional = schema.find("additionalProperties");
    const bool closed = additional != schema.end() && additional->is_boolean() && !additional->get<bool>();
    for (const nlohmann::json& name : value) {
      if (!name.is_string()) {
        problems.push_back(at + ": must be an array of property names");
      } else if (closed && (properties == schema.end() || !properties->is_object() ||
                            !properties->contains(name.get<std::string>()))) {
        // Required but forbidden by additionalProperties false: nothing could ever validate.
        problems.push_back(at + ": " + quote(name) + " is required but not among the allowed properties");
      }
    }
  }

  static void collect_refs(const nlohmann::json& node, std::vector<std::string>& out) {
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        if (key == "$ref" && value.is_string()) {
          out.push_back(value.get<std::string>());
        } else {
          collect_refs(value, out);
        }
      }
    } else if (node.is_array()) {
      for (const nlohmann::json& value : node) collect_refs(value, out);
    }
  }
};

}  // namespace vramest::test
