#include "platform/secret_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fkv::platform {
namespace {

std::vector<std::string> segments(const std::string& relative) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= relative.size(); ++i) {
    if (i == relative.size() || relative[i] == '/') {
      if (i > start) out.push_back(relative.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

Error file_error(std::string message, std::string hint = {}) {
  Error e;
  e.stage = Stage::emit;
  e.message = std::move(message);
  e.hint = hint.empty() ? "Choose another path in SecretsFilter, or remove what is at that path before the step."
                        : std::move(hint);
  return e;
}

#ifdef _WIN32

std::wstring wide(const std::string& utf8) {
  if (utf8.empty()) return {};
  const int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

// A folder held open while the file below it is created: without FILE_SHARE_DELETE nobody can rename,
// delete or replace it (with a junction, say) in the meantime, so the path checked is the path written.
class FolderHandle {
 public:
  explicit FolderHandle(HANDLE handle) : handle_(handle) {}
  FolderHandle(FolderHandle&& other) noexcept : handle_(other.handle_) { other.handle_ = INVALID_HANDLE_VALUE; }
  FolderHandle(const FolderHandle&) = delete;
  FolderHandle& operator=(const FolderHandle&) = delete;
  ~FolderHandle() {
    if (handle_ != INVALID_HANDLE_VALUE) CloseHandle(handle_);
  }
  bool valid() const { return handle_ != INVALID_HANDLE_VALUE; }
  // A folder, and not a reparse point (symbolic link, junction, mount point).
  bool plain_folder() const {
    BY_HANDLE_FILE_INFORMATION info;
    return valid() && GetFileInformationByHandle(handle_, &info) &&
           (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
           !(info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
  }

 private:
  HANDLE handle_;
};

// `follow`: the root (Agent.TempDirectory) is opened as POSIX opens it, following a link; every folder
// below it is opened as what it is (FILE_FLAG_OPEN_REPARSE_POINT), so a link there is seen and refused.
FolderHandle open_folder(const std::string& path, bool follow) {
  return FolderHandle(CreateFileW(wide(path).c_str(), FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                  OPEN_EXISTING,
                                  FILE_FLAG_BACKUP_SEMANTICS | (follow ? 0 : FILE_FLAG_OPEN_REPARSE_POINT), nullptr));
}

#else

std::string errno_text(int code) { return std::strerror(code); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

#endif

}  // namespace

Expected<std::string> write_secret_file(const std::string& root, const std::string& relative, std::string_view bytes) {
  const std::vector<std::string> parts = segments(relative);
  if (parts.empty()) return file_error("the path is empty.");
#ifdef _WIN32
  std::string path = root;
  while (!path.empty() && (path.back() == '\\' || path.back() == '/')) path.pop_back();
  std::vector<FolderHandle> held;  // every folder of the path, from the root down, until the file exists
  held.push_back(open_folder(path, true));
  if (!held.back().valid()) {
    return file_error("Agent.TempDirectory could not be opened (Windows error " + std::to_string(GetLastError()) + ").",
                      "Run the task in an Azure Pipelines job: the agent creates Agent.TempDirectory.");
  }
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    path += "\\" + parts[i];
    const std::wstring w = wide(path);
    if (!CreateDirectoryW(w.c_str(), nullptr) && GetLastError() != ERROR_ALREADY_EXISTS) {
      return file_error("the folder '" + parts[i] + "' could not be created (Windows error " +
                            std::to_string(GetLastError()) + ").",
                        "Check that the agent's account may create folders in $(Agent.TempDirectory) and that its disk "
                        "has space (Windows error 5: access denied, 112: disk full; "
                        "https://learn.microsoft.com/windows/win32/debug/system-error-codes lists every code).");
    }
    held.push_back(open_folder(path, false));
    if (!held.back().plain_folder()) {
      return file_error("'" + parts[i] +
                        "' is a link (a reparse point: symbolic link or junction) or not a folder; "
                        "links are not followed.");
    }
  }
  path += "\\" + parts.back();
  HANDLE file = CreateFileW(wide(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                            FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    const DWORD code = GetLastError();
    if (code == ERROR_FILE_EXISTS || code == ERROR_ALREADY_EXISTS) {
      return file_error("a file or link already exists there and was not created by this step, so it is not "
                        "overwritten or followed.");
    }
    return file_error("the file could not be created (Windows error " + std::to_string(code) + ").",
                      "Check that the agent's account may create files in $(Agent.TempDirectory) and that its disk has "
                      "space (Windows error 5: access denied, 32: in use by another program, 112: disk full; "
                      "https://learn.microsoft.com/windows/win32/debug/system-error-codes lists every code).");
  }
  std::size_t done = 0;
  bool ok = true;
  while (done < bytes.size() && ok) {
    DWORD wrote = 0;
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(bytes.size() - done, 1u << 20));
    ok = WriteFile(file, bytes.data() + done, chunk, &wrote, nullptr) != 0 && wrote > 0;
    done += wrote;
  }
  const DWORD write_error = GetLastError();
  CloseHandle(file);
  if (!ok) {
    DeleteFileW(wide(path).c_str());  // no partial secret left behind
    return file_error("writing the file failed (Windows error " + std::to_string(write_error) + ").",
                      "Check that the disk of $(Agent.TempDirectory) has space (Windows error 112: disk full; "
                      "https://learn.microsoft.com/windows/win32/debug/system-error-codes lists every code).");
  }
  return path;
#else
  Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    return file_error("Agent.TempDirectory could not be opened (" + errno_text(errno) + ").",
                      "Run the task in an Azure Pipelines job: the agent creates Agent.TempDirectory.");
  }
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const char* name = parts[i].c_str();
    if (::mkdirat(dir.get(), name, 0700) != 0 && errno != EEXIST) {
      return file_error("the folder '" + parts[i] + "' could not be created (" + errno_text(errno) + ").");
    }
    const int next = ::openat(dir.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      const int code = errno;
      if (code == ELOOP || code == ENOTDIR) {
        return file_error("'" + parts[i] + "' is a symbolic link or not a folder; links are not followed.");
      }
      return file_error("the folder '" + parts[i] + "' could not be opened (" + errno_text(code) + ").");
    }
    dir.reset(next);
  }
  Fd file(::openat(dir.get(), parts.back().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (file.get() < 0) {
    const int code = errno;
    if (code == EEXIST) {
      return file_error("a file or symbolic link already exists there and was not created by this step, so it is "
                        "not overwritten or followed.");
    }
    return file_error("the file could not be created (" + errno_text(code) + ").",
                      "Check that the agent's account may create files in $(Agent.TempDirectory) and that its disk has "
                      "space.");
  }
  // From here on a failure removes the file this step created: no partial secret is left behind.
  const auto discard = [&](const std::string& what) {
    const std::string message = what + " (" + errno_text(errno) + ").";
    file.reset(-1);
    ::unlinkat(dir.get(), parts.back().c_str(), 0);
    return file_error(message);
  };
  if (::fchmod(file.get(), 0600) != 0) return discard("its mode could not be set to 0600");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(file.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return discard("writing the file failed");
    done += static_cast<std::size_t>(n);
  }
  if (::close(file.release()) != 0) return discard("closing the file failed");
  std::string path = root;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path + "/" + relative;
#endif
}

}  // namespace fkv::platform
