#pragma once
// Why the system refused a file: the hint every tool prints when the environment, not the
// thing checked, is at fault (a file it may not read, a directory it may not write, a
// read-only file system), naming the permission that is missing and who has it.
#include <string>

namespace meshops::sys {

enum class Access { read, write };

/// Whether errno ERR is a refusal of the environment: EACCES, EPERM or EROFS.
bool is_permission_error(int err);

/// For ERR from opening PATH to read, or creating a file in directory PATH (Access::write):
/// e.g. "user nobody lacks read permission on /var/log/nginx/access.log (root:adm 0640): run
/// as root or as a member of adm". "" when ERR is no permission error.
std::string permission_hint(int err, const std::string& path, Access access);

} // namespace meshops::sys
