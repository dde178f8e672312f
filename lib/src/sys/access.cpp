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

/// PATH as the sentence names it: "/var/lib/x/" is "/var/lib/x", "/" stays.
std::string shown(const std::string& path) {
  auto end = path.find_last_not_of('/');
  return end == std::string::npos ? path.substr(0, 1) : path.substr(0, end + 1);
}

} // namespace

bool is_permission_error(int err) { return err == EACCES || err == EPERM || err == EROFS; }

std::string permission_sentence(unsigned uid, const std::string& path, Access access, const std::optional<Owner>& owner) {
  const bool dir = access == Access::write;
  const std::string me = user_name(uid), where = shown(path);
  const char* what = dir ? "write" : "read";
  if (!owner)
    return fmt::format("user {} may not search a directory above {}: run as root or as a user who may", me, where);
  // Creating a file in a directory takes write and search (x) permission on it.
  const unsigned need = dir ? 03 : 04;
  auto grants = [&](unsigned shift) { return ((owner->mode >> shift) & need) == need; };
  const std::string owner_name = user_name(owner->uid), grp = group_name(owner->gid);
  std::string head = fmt::format("user {} lacks {} permission on {} ({}{}:{} {:04o})", me, what, where,
                                 dir ? "directory, " : "", owner_name, grp, owner->mode & 07777);
  if (grants(0)) return head + ": its mode grants that to everyone, so an ACL or a security module refuses it";
  std::string who = "root";
  const bool by_owner = owner->uid != 0 && grants(6), by_group = owner->gid != 0 && grants(3);
  if (by_owner) who += fmt::format("{} as {}", by_group ? "," : " or", owner_name);
  if (by_group) who += fmt::format(" or as a member of {}", grp);
  return fmt::format("{}: run as {}", head, who);
}

std::string permission_hint(int err, const std::string& path, Access access) {
  if (!is_permission_error(err)) return {};
  if (err == EROFS) return fmt::format("{} is on a read-only file system: choose a writable place", shown(path));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return errno == EACCES ? permission_sentence(::geteuid(), path, access, std::nullopt) : std::string();
  return permission_sentence(::geteuid(), path, access, Owner{st.st_uid, st.st_gid, st.st_mode});
}

} // namespace meshops::sys
