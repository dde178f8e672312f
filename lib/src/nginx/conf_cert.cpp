#include "meshops/nginx/conf_cert.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/text.hpp"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace meshops::nginx {
namespace {

using sys::lower;

template <auto F>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { F(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;

sys::Time time_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  auto at = sys::time_from_civil(tm.tm_year + 1900LL, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday),
                                 static_cast<unsigned>(tm.tm_hour), static_cast<unsigned>(tm.tm_min),
                                 static_cast<unsigned>(tm.tm_sec));
  return at.value_or(sys::Time{});
}

bool matches(std::string_view pattern, std::string_view name) {
  auto p = lower(pattern), n = lower(name);
  if (p == n) return true;
  // "*.example.com" covers exactly one more label: "a.example.com", not "a.b.example.com".
  if (p.size() > 2 && p.compare(0, 2, "*.") == 0) {
    auto dot = n.find('.');
    return dot != std::string::npos && dot > 0 && n.substr(dot) == p.substr(1);
  }
  return false;
}

} // namespace

Certificate parse_certificate_pem(std::string_view pem, const std::string& origin) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr x(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!x) throw Error(Exit::unknown, fmt::format("{}: not a PEM certificate", origin));
  Certificate c;
  c.not_before = time_of(X509_get0_notBefore(x.get()));
  c.not_after = time_of(X509_get0_notAfter(x.get()));
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(x.get()), NID_commonName, cn, sizeof cn) > 0) c.subject_cn = cn;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
    if (g->type != GEN_DNS) continue;
    const auto* s = g->d.dNSName;
    c.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
  }
  GENERAL_NAMES_free(sans);
  return c;
}

Certificate read_certificate(const std::string& path) { return parse_certificate_pem(sys::read_file(path), path); }

bool covers(const Certificate& cert, std::string_view name) {
  for (const auto& d : cert.dns_names)
    if (matches(d, name)) return true;
  return cert.dns_names.empty() && !cert.subject_cn.empty() && matches(cert.subject_cn, name);
}

Check judge_certificate(const Certificate& cert, const Value& ssl_certificate, const std::string& path,
                        const std::vector<std::string>& server_names, sys::Time now) {
  Check c{"certificate:" + path, "certificate", Exit::ok, {}, ssl_certificate.at, {}, {}};
  auto left = std::chrono::duration_cast<std::chrono::seconds>(cert.not_after - now);
  double days = static_cast<double>(left.count()) / 86400.0;
  const std::string date = sys::format_utc(cert.not_after, /*with_millis=*/false);
  if (days < 0) {
    c.status = Exit::critical;
    c.reason = fmt::format("expired {} ({:.0f} days ago)", date, -days);
  } else {
    c.status = days < 7 ? Exit::critical : days < 21 ? Exit::warning : Exit::ok;
    c.reason = fmt::format("expires {} ({:.1f} days left)", date, days);
  }
  std::vector<std::string> uncovered;
  for (const auto& n : server_names)
    if (is_concrete_name(n) && !covers(cert, n)) uncovered.push_back(n);
  if (!uncovered.empty()) {
    if (c.status == Exit::ok) c.status = Exit::warning;
    c.reason += "; does not cover";
    for (const auto& n : uncovered) c.reason += " " + n;
  }
  return c;
}

} // namespace meshops::nginx
