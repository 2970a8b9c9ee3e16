// Host name lookups of the fully static Linux build (linked into federated-keyvault-static only).
//
// A static glibc binary has the "files" (/etc/hosts) and "dns" (/etc/resolv.conf) NSS services built
// in (glibc >= 2.34), but any other service named on the host's "hosts:" line of /etc/nsswitch.conf is
// dlopen()ed as libnss_<name>.so.2 together with the host's own libc.so.6. The static build runs where
// that libc is not the one it was linked with (Alpine has none, RHEL 8 has glibc 2.28), so such a
// module either cannot load or runs against a foreign libc. Both happen on real hosts: RHEL/UBI 8 ship
// "hosts: files dns myhostname". A module that cannot load turns every unknown name into EAI_SYSTEM
// ("could not resolve ...: Device or resource busy", retried as a transient failure) instead of
// EAI_NONAME, so "vault not found" became a network error (found by e2e/native-static-chroot-dns-rhel8).
// So before main, the hosts database is pinned to the two built-in services, whatever nsswitch.conf
// says; nothing is ever dlopen()ed for a host name lookup. Other databases are not used by the binary.
#include <nss.h>

namespace {

__attribute__((constructor)) void pin_hosts_lookup_to_builtin_services() {
  // Fails only for an unknown database name or an unparsable line, neither of which can happen here;
  // glibc then keeps its configuration from nsswitch.conf, which is no worse than without this.
  (void)__nss_configure_lookup("hosts", "files dns");
}

}  // namespace
