// error_of.hpp — the vramest::Error a call throws; fails the test if the call succeeds or throws
// anything else, so broken-input cases cannot pass by accident.
#pragma once

#include <catch2/catch.hpp>
#include <exception>

#include "vramest/error.hpp"

namespace vramest::test {

template <typename Fn>
Error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  } catch (const std::exception& e) {
    FAIL("threw a non-vramest exception: " << e.what());
  }
  FAIL("accepted a broken input");
  return Error(ErrorCode::internal, "unreachable");
}

}  // namespace vramest::test
