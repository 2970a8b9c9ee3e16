// platform/secret_file: modes, O_EXCL, no symbolic link followed, no partial file left behind. POSIX.
#include "platform/secret_file.hpp"

#include <doctest/doctest.h>

#ifndef _WIN32
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using fkv::platform::write_secret_file;

namespace {

// A fresh folder standing in for Agent.TempDirectory, removed afterwards.
struct TempRoot {
  fs::path path;
  TempRoot() {
    std::string pattern = (fs::temp_directory_path() / "fkv-secret-file-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempRoot() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string str() const { return path.string(); }
};

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

// Sets the umask for the scope (a permissive one shows that the modes do not come from it).
struct Umask {
  mode_t old;
  explicit Umask(mode_t mask) : old(::umask(mask)) {}
  ~Umask() { ::umask(old); }
};

}  // namespace

TEST_CASE("write_secret_file: the bytes, the path, folders 0700 and the file 0600 whatever the umask") {
  TempRoot root;
  Umask permissive(0);
  const std::string bytes("s3cret\0value\n", 13);
  auto written = write_secret_file(root.str() + "/", "certs/tls/key.pem", bytes);
  REQUIRE(written);
  CHECK(*written == root.str() + "/certs/tls/key.pem");
  CHECK(read(*written) == bytes);
  CHECK(mode_of(root.path / "certs") == 0700);
  CHECK(mode_of(root.path / "certs" / "tls") == 0700);
  CHECK(mode_of(*written) == 0600);
  // An existing folder is used as it is; a second file beside the first is fine.
  auto second = write_secret_file(root.str(), "certs/other.pem", "x");
  REQUIRE(second);
  CHECK(read(*second) == "x");
}

TEST_CASE("write_secret_file: an existing file or link is never overwritten or followed (O_EXCL)") {
  TempRoot root;
  { std::ofstream(root.path / "taken.txt") << "before"; }
  auto again = write_secret_file(root.str(), "taken.txt", "after");
  REQUIRE_FALSE(again);
  CHECK(again.error().message ==
        "a file or symbolic link already exists there and was not created by this step, so it is not overwritten or "
        "followed.");
  CHECK(read(root.path / "taken.txt") == "before");

  const fs::path outside = root.path / "outside.txt";
  { std::ofstream(outside) << "untouched"; }
  fs::create_symlink(outside, root.path / "link.txt");
  auto through_link = write_secret_file(root.str(), "link.txt", "secret");
  REQUIRE_FALSE(through_link);
  CHECK(read(outside) == "untouched");
  CHECK(fs::is_symlink(root.path / "link.txt"));

  fs::create_symlink(outside, root.path / "dangling.txt");
  fs::remove(outside);
  CHECK_FALSE(write_secret_file(root.str(), "dangling.txt", "secret"));
  CHECK_FALSE(fs::exists(outside));  // a dangling link is not followed to create its target
}

TEST_CASE("write_secret_file: a symbolic link as a folder is refused, nothing is written through it") {
  TempRoot root;
  TempRoot elsewhere;
  fs::create_symlink(elsewhere.path, root.path / "dir");
  auto written = write_secret_file(root.str(), "dir/key.pem", "secret");
  REQUIRE_FALSE(written);
  CHECK(written.error().message == "'dir' is a symbolic link or not a folder; links are not followed.");
  CHECK(fs::is_empty(elsewhere.path));

  { std::ofstream(root.path / "plain") << "a file"; }
  auto under_file = write_secret_file(root.str(), "plain/key.pem", "secret");
  REQUIRE_FALSE(under_file);
  CHECK(under_file.error().message == "'plain' is a symbolic link or not a folder; links are not followed.");
}

TEST_CASE("write_secret_file: a root that cannot be opened, and an empty path") {
  TempRoot root;
  auto missing = write_secret_file(root.str() + "/missing", "a.txt", "secret");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.rfind("Agent.TempDirectory could not be opened (", 0) == 0);
  auto empty = write_secret_file(root.str(), "", "secret");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "the path is empty.");
}

TEST_CASE("write_secret_file: a write that fails half-way leaves no partial file behind") {
  TempRoot root;
  // RLIMIT_FSIZE makes the write fail with EFBIG after 4 KiB (SIGXFSZ ignored), as a full disk would.
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto written = write_secret_file(root.str(), "big/secret.bin", std::string(64 * 1024, 'x'));
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(written);
  CHECK(written.error().message.rfind("writing the file failed (", 0) == 0);
  CHECK(written.error().message.find("xxxx") == std::string::npos);  // never the bytes
  CHECK_FALSE(fs::exists(root.path / "big" / "secret.bin"));
  CHECK(fs::is_directory(root.path / "big"));
}

#endif
