// table.hpp — aligned plain-text tables: columns sized to their widest cell, numbers right-aligned.
#pragma once

#include <string>
#include <vector>

namespace vramest::report {

enum class Align { left, right };

class Table {
 public:
  explicit Table(std::vector<Align> aligns) : aligns_(std::move(aligns)) {}

  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  // Each line starts with `indent` and ends with '\n'; columns are two spaces apart.
  std::string render(const std::string& indent = "  ") const;

 private:
  std::vector<Align> aligns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vramest::report
