/*
 * credport — W3C Bitstring Status List v1.0 (proto/statuslist.c).
 *
 * An issuer's revocation list is a BitstringStatusListCredential whose
 * credentialSubject (type BitstringStatusList, statusPurpose "revocation")
 * carries encodedList = "u" + base64url(GZIP(bitstring)) (multibase
 * base64url, no padding). Bit i is the bit of mask 0x80 >> (i % 8) in byte
 * i / 8 (index 0 the left-most bit); a set bit means revoked.
 *
 * The index of an award is its seq in the issuer's log: fixed when the
 * award was signed, never reused (the log only grows, and a restored node
 * never signs at a seq it used). The list holds
 * cp_status_list_bits(log size) entries: at least CP_STATUS_BITS_MIN
 * (131,072), growing in steps of that size as the log passes each
 * multiple, so every index ever exported stays inside every later list.
 * A credential points at it with a BitstringStatusListEntry:
 *   {"id":"URL#INDEX","type":"BitstringStatusListEntry",
 *    "statusPurpose":"revocation","statusListIndex":"INDEX",
 *    "statusListCredential":"URL"}
 */
#ifndef CREDPORT_STATUSLIST_H
#define CREDPORT_STATUSLIST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "limits.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CP_STATUS_PURPOSE "revocation"
#define CP_STATUS_URL_MAX 1024U

/* Entries in the list of a log of log_size entries (see above). */
uint64_t cp_status_list_bits(uint64_t log_size);

/* 1 if bit i of bits[0..nbytes) is set, 0 if clear, -1 beyond the end. */
int cp_status_bit(const uint8_t *bits, size_t nbytes, uint64_t i);

/* "u" + base64url(gzip(bits[0..nbytes))). OUT: *out malloc'd,
 * NUL-terminated, *len. CP_ENOMEM, CP_ETOOBIG beyond CP_STATUS_BITS_MAX. */
int cp_status_encode(const uint8_t *bits, size_t nbytes, char **out, size_t *len)
    __attribute__((warn_unused_result, nonnull(3, 4)));

/* The inverse, strictly: a "u" multibase prefix, unpadded base64url, one
 * GZIP member and nothing after it, inflating to between CP_STATUS_BITS_MIN
 * and CP_STATUS_BITS_MAX bits, a whole number of bytes. Inflation stops at
 * the bound, so a small hostile input cannot make it allocate more.
 * OUT: *bits malloc'd (the caller frees it), *nbytes. CP_ECORRUPT /
 * CP_ETOOBIG with d saying what. */
int cp_status_decode(const char *enc, size_t len, uint8_t **bits, size_t *nbytes, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));

/* Checks a status list base URL: http(s)://, at most CP_STATUS_URL_MAX
 * bytes, printable ASCII without spaces, quotes, '#', '<' or '>'. */
int cp_status_url_ok(const char *url) __attribute__((warn_unused_result));

/* The BitstringStatusListEntry for index in the list at url (a new
 * reference, NULL on allocation failure). */
json_t *cp_status_entry(const char *url, uint64_t index);

/* The unsigned BitstringStatusListCredential: @context VC 2.0, id url,
 * issuer the did:key of issuer, validFrom (YYYY-MM-DDTHH:MM:SSZ of
 * valid_from), credentialSubject {id url#list, type BitstringStatusList,
 * statusPurpose revocation, encodedList}. OUT: *out a new reference. */
int cp_status_list_build(const char *url, const uint8_t issuer[CP_PK_BYTES], uint64_t valid_from,
                         const uint8_t *bits, size_t nbytes, json_t **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 4, 6)));

/* A status list credential read from a file, its signature verified. */
typedef struct cp_status_list {
  int jwt;                          /* 1: vc+jwt, 0: JSON with a Data Integrity proof */
  uint8_t issuer[CP_PK_BYTES];
  char url[CP_STATUS_URL_MAX + 1];  /* the credential's id */
  uint8_t *bits;                    /* owned; cp_status_list_free */
  size_t nbytes;
} cp_status_list;

/* Opens text[0..len): a vc+jwt (cp_vcjwt_open) or, when it starts with
 * '{' after white space, JSON secured with eddsa-jcs-2022 by its issuer's
 * did:key; type BitstringStatusListCredential, a string id that
 * cp_status_url_ok accepts, a credentialSubject of type BitstringStatusList
 * with statusPurpose "revocation" and an encodedList cp_status_decode
 * accepts. Errors as cp_vcjwt_open / cp_status_decode; CP_EDENIED when
 * the proof was made by another key than the issuer's. */
int cp_status_list_open(const char *text, size_t len, cp_status_list *out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));
void cp_status_list_free(cp_status_list *l);

/* Looks up a credential's credentialStatus (one BitstringStatusListEntry,
 * or an array holding one whose statusPurpose is revocation) in l, for a
 * credential issued by issuer. OUT: *revoked 1 or 0. CP_EDENIED when the
 * list is another issuer's or another list (its id is not the entry's
 * statusListCredential); CP_ECORRUPT when the entry is malformed or its
 * index lies beyond the list (d says which). */
int cp_status_check(const cp_status_list *l, const json_t *status,
                    const uint8_t issuer[CP_PK_BYTES], int *revoked, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
