// Writing a secret file under $(Agent.TempDirectory) (SecretsFilter '=> file:PATH', issue 11).
//
// write_secret_file(root, relative, bytes) writes `bytes` to root/relative and returns the absolute path.
// `relative` was validated by the filter parser ('/'-separated segments of 0-9 a-z A-Z . _ -, no '..', not
// absolute); `root` is AGENT_TEMPDIRECTORY, which must exist (the agent creates it and wipes it after the job).
//
// POSIX (Linux, macOS): every folder below root is created with mode 0700 (an existing one is used as it is)
// and opened with O_NOFOLLOW|O_DIRECTORY relative to its parent (openat), so no symbolic link is followed
// anywhere below root; the file is created with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600 (fchmod'ed again, whatever
// the umask), so a file or symbolic link already at the target is never followed or overwritten: only files
// this run creates are written, and each target of a filter is distinct.
// Windows: folders are created with CreateDirectoryW and each is opened as what it is
// (FILE_FLAG_OPEN_REPARSE_POINT): one that is a reparse point (symbolic link, junction, mount point) is
// refused, as POSIX refuses a symbolic link. Every folder of the path, the root included, stays open
// without FILE_SHARE_DELETE until the file exists, so none can be renamed or swapped for a junction between
// the check and the write. The file is created with CreateFileW(CREATE_NEW, FILE_FLAG_OPEN_REPARSE_POINT),
// which fails on any existing file or link. Permissions are inherited from Agent.TempDirectory (the agent's work
// folder, normally readable by the agent's account and administrators only); no ACL is set.
// Errors name the relative path and the reason, never the bytes.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace fkv::platform {

Expected<std::string> write_secret_file(const std::string& root, const std::string& relative, std::string_view bytes);

}  // namespace fkv::platform
