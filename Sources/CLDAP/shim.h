/* Kiosque's door into OpenLDAP's libldap (Debian libldap-dev): the synchronous API only.
 * The helpers below wrap what Swift cannot call directly: option values that are macros
 * (LDAP_OPT_ON/OFF), LDAP_SASL_SIMPLE (a null pointer macro) and struct timeval options. */
#ifndef KIOSQUE_CLDAP_SHIM_H
#define KIOSQUE_CLDAP_SHIM_H

#define LDAP_DEPRECATED 0
#include <ldap.h>
#include <lber.h>
#include <sys/time.h>

/** Sets an integer option (protocol version, size limit, TLS requirement, NEWCTX…). */
static inline int kiosque_ldap_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}

/** Sets an on/off option (LDAP_OPT_REFERRALS, LDAP_OPT_RESTART). */
static inline int kiosque_ldap_set_flag(LDAP *ld, int option, int on) {
    return ldap_set_option(ld, option, on ? LDAP_OPT_ON : LDAP_OPT_OFF);
}

/** Sets a string option (LDAP_OPT_X_TLS_CACERTFILE). */
static inline int kiosque_ldap_set_string(LDAP *ld, int option, const char *value) {
    return ldap_set_option(ld, option, value);
}

/** Sets a struct timeval option (LDAP_OPT_NETWORK_TIMEOUT, LDAP_OPT_TIMEOUT) in milliseconds. */
static inline int kiosque_ldap_set_timeout(LDAP *ld, int option, long milliseconds) {
    struct timeval tv;
    tv.tv_sec = milliseconds / 1000;
    tv.tv_usec = (milliseconds % 1000) * 1000;
    return ldap_set_option(ld, option, &tv);
}

/** A simple bind (LDAP_SASL_SIMPLE) with a password of `length` bytes. */
static inline int kiosque_ldap_simple_bind(LDAP *ld, const char *dn, const char *password, size_t length) {
    struct berval cred;
    cred.bv_val = (char *)password;
    cred.bv_len = (ber_len_t)length;
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

/** ldap_search_ext_s with a time limit (seconds, also the client-side wait) and a size limit. */
static inline int kiosque_ldap_search(LDAP *ld, const char *base, int scope, const char *filter, char **attributes,
                                      long milliseconds, int sizeLimit, LDAPMessage **result) {
    struct timeval tv;
    tv.tv_sec = milliseconds / 1000;
    tv.tv_usec = (milliseconds % 1000) * 1000;
    return ldap_search_ext_s(ld, base, scope, filter, attributes, 0, NULL, NULL, &tv, sizeLimit > 0 ? sizeLimit : 0, result);
}

/** LDAP_SCOPE_SUBTREE and LDAP_SCOPE_BASE as plain ints (the macros carry casts). */
static const int kiosque_ldap_scope_subtree = LDAP_SCOPE_SUBTREE;
static const int kiosque_ldap_scope_base = LDAP_SCOPE_BASE;

/** The diagnostic message the server or library left on the handle (freed with ldap_memfree), or NULL. */
static inline char *kiosque_ldap_diagnostic(LDAP *ld) {
    char *message = NULL;
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message);
    return message;
}

#endif
