#pragma once
// The certificates a configuration names with ssl_certificate: when they expire and which
// names they cover (read with OpenSSL).
#include "meshops/nginx/conf_checks.hpp"
#include "meshops/sys/time.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::nginx {

struct Certificate {
  std::string subject_cn;              ///< the subject's commonName, empty when absent
  std::vector<std::string> dns_names;  ///< subjectAltName DNS entries
  sys::Time not_before;  ///< what the certificate says, 0000..9999 (a time_t or system_clock wrapped 9966)
  sys::Time not_after;
};

/// The first certificate of a PEM text (a chain starts with the leaf). Throws meshops::Error
/// (Exit::unknown) "ORIGIN: not a PEM certificate" when none parses.
Certificate parse_certificate_pem(std::string_view pem, const std::string& origin);

/// Reads and parses the file. Throws meshops::Error (Exit::unknown) "PATH: why" when it cannot
/// be read (e.g. "Permission denied") or holds no certificate.
Certificate read_certificate(const std::string& path);

/// Whether a DNS name is covered: by a SAN entry (a "*." entry covers one label), or by the
/// commonName when the certificate has no DNS SAN at all.
bool covers(const Certificate& cert, std::string_view name);

/// The certificate check for one ssl_certificate: crit when expired or under 7 days left,
/// warn under 21 days or when a concrete server name is not covered, else ok.
Check judge_certificate(const Certificate& cert, const Value& ssl_certificate, const std::string& path,
                        const std::vector<std::string>& server_names, sys::Time now);

} // namespace meshops::nginx
