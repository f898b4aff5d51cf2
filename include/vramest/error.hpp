// error.hpp — the one exception type the core throws, and how it maps to exit codes.
//
// Every failure a user can cause (a bad flag value, an unknown GPU, a malformed file) is a
// vramest::Error with a stable code. The shell catches it in one place and turns the code into
// the documented exit status:
//
//   try { ... } catch (const vramest::Error& e) { return vramest::exit_code(e.code()); }
//
// Exit codes: 0 ok, 1 does not fit, 2 usage, 3 invalid value, 4 bad file or data, 70 internal.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace vramest {

enum class ErrorCode {
  usage,          // the command line is malformed (unknown flag, conflicting flags)
  invalid_value,  // a value is well-formed but impossible or unknown (size, precision, GPU id)
  bad_file,       // a file or embedded catalog is unreadable or malformed
  output,         // the output could not be written (stdout closed or full, a broken pipe, -o FILE)
  internal,       // a bug: an invariant the code relies on does not hold
};

// Exit statuses, part of the command-line contract (README "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitDoesNotFit = 1;

constexpr int exit_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::usage: return 2;
    case ErrorCode::invalid_value: return 3;
    case ErrorCode::bad_file: return 4;
    case ErrorCode::output: return 74;  // sysexits.h EX_IOERR
    case ErrorCode::internal: return 70;
  }
  return 70;
}

// The snake_case name used as "code" in --json error objects.
constexpr std::string_view code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::usage: return "usage";
    case ErrorCode::invalid_value: return "invalid_value";
    case ErrorCode::bad_file: return "bad_file";
    case ErrorCode::output: return "output";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

class Error : public std::runtime_error {
 public:
  // `where` locates the problem in a file ("config.json:/num_hidden_layers", "x.gguf@1024");
  // empty for command-line values. `hint` is an optional "did you mean" or remedy.
  Error(ErrorCode code, const std::string& message, std::string hint = {}, std::string where = {})
      : std::runtime_error(message), code_(code), hint_(std::move(hint)), where_(std::move(where)) {}

  ErrorCode code() const { return code_; }
  const std::string& hint() const { return hint_; }
  const std::string& where() const { return where_; }

  // One line for humans: "<where>: <message> (<hint>)".
  std::string one_line() const {
    std::string line = where_.empty() ? std::string{} : where_ + ": ";
    line += what();
    if (!hint_.empty()) line += " (" + hint_ + ")";
    return line;
  }

 private:
  ErrorCode code_;
  std::string hint_;
  std::string where_;
};

}  // namespace vramest
