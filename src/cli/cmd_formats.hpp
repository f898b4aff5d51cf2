// cmd_formats.hpp — `vramest formats`: list the weight formats with their real bits per weight.
#pragma once

#include "cli/global_options.hpp"

namespace vramest::shell {

struct FormatsOptions {};

CLI::App* setup_formats(CLI::App& app, FormatsOptions& options, GlobalOptions& global);
CommandResult run_formats(const FormatsOptions& options, const GlobalOptions& global);

}  // namespace vramest::shell
