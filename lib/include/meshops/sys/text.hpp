#pragma once
// Text helpers every module shares.
#include <string>
#include <string_view>

namespace meshops::sys {

/// s in ASCII lower case; bytes outside A-Z (UTF-8 included) pass unchanged, whatever the
/// locale. Host names, header names, nginx server names and peer names compare this way.
std::string lower(std::string_view s);

/// s in ASCII upper case, the same way.
std::string upper(std::string_view s);

} // namespace meshops::sys
