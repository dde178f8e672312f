#pragma once
// Why the system refused a file: the hint every tool prints when the environment, not the
// thing checked, is at fault (a file it may not read, a directory it may not write, a
// read-only file system), naming the permission that is missing and who has it.
#include <optional>
#include <string>

namespace meshops::sys {

enum class Access { read, write };

/// Whether errno ERR is a refusal of the environment: EACCES, EPERM or EROFS.
bool is_permission_error(int err);

/// For ERR from opening PATH to read, or creating a file in directory PATH (Access::write):
/// e.g. "user nobody lacks read permission on /var/log/nginx/access.log (root:adm 0640): run
/// as root or as a member of adm". "" when ERR is no permission error.
std::string permission_hint(int err, const std::string& path, Access access);

/// What stat said of the refused path.
struct Owner {
  unsigned uid, gid, mode;
};

/// The sentence permission_hint makes for a refusal (EACCES, EPERM) of user UID, once it has
/// stat'ed PATH: OWNER, or nullopt when stat was refused too (a directory above PATH may not
/// be searched). Who has the permission is read from the mode: root always; the owner and
/// the members of the group when their bits grant it (reading: r; creating a file in a
/// directory: w and x), the owner root and the group root never named twice. A mode that
/// grants it to everyone means an ACL or a security module refuses. Trailing slashes of a
/// directory are dropped. Exposed for its tests.
std::string permission_sentence(unsigned uid, const std::string& path, Access access, const std::optional<Owner>& owner);

} // namespace meshops::sys
