// Internal to the two Beast translation units (https_client.cpp, imds_client.cpp): one connection's
// io_context, run on the calling thread until an operation completes, a deadline passes or the run
// is stopped.
//
// run_io runs `io` in slices of kSlice (so a stop is seen within one slice) until `done` is set by the
// operation's handler. On a timeout or a stop the socket is closed, so that the pending handler
// completes (aborted), and `io` is run once more for at most `drain` to let it; the connection is then
// unusable. `done` must refer to the flag the handler sets.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>

namespace fkv::net::detail {

enum class Wait { done, timeout, cancelled };

inline constexpr std::chrono::milliseconds kSlice{50};

template <typename Socket, typename Stopped>
Wait run_io(boost::asio::io_context& io, Socket& socket, const bool& done,
            std::chrono::steady_clock::time_point deadline, Stopped stopped, std::chrono::milliseconds drain) {
  using Clock = std::chrono::steady_clock;
  io.restart();
  Wait result = Wait::done;
  while (!done) {
    if (stopped()) {
      result = Wait::cancelled;
      break;
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      result = Wait::timeout;
      break;
    }
    io.run_for(std::min<Clock::duration>(kSlice, deadline - now));
    if (io.stopped()) io.restart();
  }
  if (!done) {
    boost::system::error_code ignored;
    socket.close(ignored);
    io.restart();
    io.run_for(drain);
  }
  return result;
}

}  // namespace fkv::net::detail
