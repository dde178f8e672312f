#include "meshops/sys/access.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace meshops::sys {
namespace {

std::string user_name(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid)) return pw->pw_name;
  return fmt::format("uid {}", uid);
}

std::string group_name(gid_t gid) {
  if (const group* gr = ::getgrgid(gid)) return gr->gr_name;
  return fmt::format("gid {}", gid);
}

} // namespace

bool is_permission_error(int err) { return err == EACCES || err == EPERM || err == EROFS; }

std::string permission_hint(int err, const std::string& path, Access access) {
  if (!is_permission_error(err)) return {};
  if (err == EROFS) return fmt::format("{} is on a read-only file system: choose a writable place", path);
  const char* what = access == Access::read ? "read" : "write";
  const char* where = access == Access::read ? "" : " (the directory)";
  std::string me = user_name(::geteuid());
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fmt::format("user {} lacks {} permission on {}{} or a directory above it: run as root or as a user who has it", me,
                       what, path, where);
  auto owner = user_name(st.st_uid), grp = group_name(st.st_gid);
  return fmt::format("user {} lacks {} permission on {}{} ({}:{} {:04o}): run as root, as {} or as a member of {}", me, what,
                     path, where, owner, grp, st.st_mode & 07777, owner, grp);
}

} // namespace meshops::sys
