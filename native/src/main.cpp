// federated-keyvault: the process. Parses argv, installs the process-wide settings, runs the task
// (run/task.hpp: one run from the agent's environment to its conclusion) and returns its exit code.
//
// Contract with the launcher: stdout carries logging commands and plain log lines, one per line, each
// flushed (run/log_writer.hpp); stdin is never read (the agent closes it); exit code 0 = success,
// 1 = failure (the last line is then `##vso[task.complete result=Failed]…`), 2 = bad command-line usage.
#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>

#include "agent/environment.hpp"
#include "net/tls.hpp"
#include "platform/process.hpp"
#include "run/task.hpp"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

int main(int argc, char** argv) {
#ifdef _WIN32
  // UTF-8 bytes as they are: no "\n" -> "\r\n" translation (the agent splits lines on either anyway).
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
#else
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket must surface as an error, not kill us
#endif
  if (argc > 1) {
    const std::string_view arg = argv[1];
    if (argc == 2 && (arg == "--version" || arg == "-V")) {
      std::printf("federated-keyvault %s\n", FKV_VERSION);
      return 0;
    }
    std::fprintf(stderr, "usage: federated-keyvault [--version]\n"
                         "Reads its inputs from the Azure Pipelines agent's environment; takes no arguments.\n");
    return 2;
  }
  const fkv::agent::EnvLookup environment = fkv::agent::process_environment;
  fkv::platform::disable_crash_dumps();
  // Before any thread starts; a MALLOC_ARENA_MAX the agent set wins.
  fkv::platform::limit_malloc_arenas(environment("MALLOC_ARENA_MAX").has_value());
  fkv::net::init_openssl();
  fkv::run::Task task(environment);
  int code = 1;
  try {
    code = task.execute();
  } catch (const std::exception& e) {
    code = task.internal_error(e.what());
  }
  fkv::platform::mark_finished();
  return code;
}
