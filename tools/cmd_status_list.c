/* credport CLI — the issuer's W3C Bitstring Status List (`export status-list`)
 * and the credentialStatus of exported credentials (docs/FORMATS.md,
 * "Bitstring Status List"). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/jws.h"
#include "credport/revstatus.h"
#include "credport/statuslist.h"
#include "credport/vcdi.h"
#include "credport/vcjwt.h"

#define STATUS_BASE_FILE "status-base"

static const char KEY_GONE[] = "standard credentials name their issuer by its did:key (the "
                               "genesis key), which no longer signs";

int cli_issuer_key(cli *c, cp_store *s, const char *why, cp_key **k) {
  cp_reader *r = NULL;
  cp_log_info li;
  uint8_t self[CP_PK_BYTES];
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_log(r, self, &li);
  cp_reader_end(r);
  if (rc == CP_ENOTFOUND) return cli_fail(c, "this node has no authority yet: run init");
  if (rc != 0) return cli_fail(c, "cannot read this node's log: %s", cp_strerror(rc));
  if (memcmp(li.signer, self, CP_PK_BYTES) != 0 || (li.flags & CP_LOG_RETIRED))
    return cli_fail(c, "this log's key was rotated or retired: %s", why);
  return cli_key_in_force(c, s, k);
}

int cli_status_base(cli *c, const char *given, char url[CP_STATUS_URL_MAX + 1]) {
  char path[PATH_MAX], buf[CP_STATUS_URL_MAX + 2];
  cp_diag d = {{0}};
  FILE *f;
  size_t n;
  cli_path(c, STATUS_BASE_FILE, path, sizeof path);
  if (given != NULL) {
    if (cp_status_url_ok(given) != CP_OK)
      return cli_usage(c, "--status-base: \"%.200s\" is not an http(s) URL of at most %u "
                       "printable characters without spaces, quotes or '#'", given,
                       CP_STATUS_URL_MAX);
    memcpy(url, given, strlen(given) + 1);
    n = strlen(url);
    memcpy(buf, url, n);
    buf[n] = '\n';
    if (cli_write_atomic(path, buf, n + 1, 0644, &d) != 0)
      return cli_fail(c, "cannot record the status list URL: %s", d.msg);
    return CLI_OK;
  }
  if ((f = fopen(path, "r")) == NULL) {
    if (errno == ENOENT)
      return cli_fail(c, "no status list URL yet: give --status-base URL (it is recorded in "
                      "the data folder for later exports)");
    return cli_fail(c, "cannot read %s: %s", path, strerror(errno));
  }
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  if (n > 0 && buf[n - 1] == '\n') buf[--n] = 0;
  if (cp_status_url_ok(buf) != CP_OK)
    return cli_fail(c, "%s does not hold a status list URL: give --status-base URL", path);
  memcpy(url, buf, n + 1);
  return CLI_OK;
}

int cli_status_entry(void *ctx, const uint8_t award_id[CP_HASH_BYTES], json_t **status) {
  cli_status_ctx *x = ctx;
  const uint8_t *buf;
  size_t len;
  uint64_t seq = 0;
  int rc = cp_reader_entry_by_id(x->r, award_id, &buf, &len);
  *status = NULL;
  if (rc != 0) return rc;
  if (len < CP_ENTRY_MIN_BYTES) return CP_ECORRUPT;
  /* The award's index is its seq (header bytes 34..41, big-endian). */
  for (int i = 0; i < 8; i++) seq = seq << 8 | buf[34 + i];
  return (*status = cp_status_entry(x->url, seq)) == NULL ? CP_ENOMEM : CP_OK;
}

int cli_status_bits(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size, uint8_t **bits,
                    size_t *nbytes, size_t *nrevoked) {
  uint8_t(*ids)[CP_HASH_BYTES] = NULL;
  size_t n = 0, i, nb = (size_t)(cp_status_list_bits(size) / 8);
  uint8_t *b;
  int rc;
  *bits = NULL;
  if (cp_status_list_bits(size) > CP_STATUS_BITS_MAX) return CP_ETOOBIG;
  if ((rc = cp_reader_revset(r, log, size, &ids, &n)) != 0) return rc;
  if ((b = calloc(nb, 1)) == NULL) {
    free(ids);
    return CP_ENOMEM;
  }
  for (i = 0; i < n && rc == 0; i++) {
    const uint8_t *buf;
    size_t len;
    uint64_t seq = 0;
    if ((rc = cp_reader_entry_by_id(r, ids[i], &buf, &len)) != 0) break;
    if (len < CP_ENTRY_MIN_BYTES || memcmp(buf + 2, log, CP_PK_BYTES) != 0) {
      rc = CP_ECORRUPT;
      break;
    }
    for (int k = 0; k < 8; k++) seq = seq << 8 | buf[34 + k];
    if (seq / 8 >= nb) {
      rc = CP_ECORRUPT;
      break;
    }
    b[seq / 8] |= (uint8_t)(0x80u >> (seq % 8));
  }
  free(ids);
  if (rc != 0) {
    free(b);
    return rc;
  }
  *bits = b;
  *nbytes = nb;
  *nrevoked = n;
  return CP_OK;
}

int cli_status_list_text(cp_reader *r, const cp_key *k, const char *url, int jwt, char **text,
                         size_t *len, size_t *nrevoked, cp_diag *d) {
  uint8_t self[CP_PK_BYTES], *bits = NULL;
  cp_log_info li;
  size_t nbytes = 0;
  json_t *v = NULL;
  char created[21];
  int rc;
  *text = NULL;
  if ((rc = cp_reader_self(r, self)) != 0 || (rc = cp_reader_log(r, self, &li)) != 0)
    return cp_diag_set(d, rc, "cannot read this node's log");
  if ((rc = cli_status_bits(r, self, li.size, &bits, &nbytes, nrevoked)) != 0)
    return cp_diag_set(d, rc, "cannot read the revocations of this log");
  /* validFrom is the time of the log's latest entry: the list states the
   * log at that size, and the same ledger gives the same list. */
  rc = cp_status_list_build(url, self, li.last_time, bits, nbytes, &v, d);
  free(bits);
  if (rc != 0) return rc;
  if (jwt) {
    if ((rc = cp_vcjwt_sign(v, k, text, len, d)) == CP_OK) rc = cp_jws_end_line(text, len);
  } else {
    const char *vf = json_string_value(json_object_get(v, "validFrom"));
    memcpy(created, vf, sizeof created);
    if ((rc = cp_vcdi_sign(v, k, created, d)) == CP_OK) {
      char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      if (s == NULL) {
        rc = CP_ENOMEM;
      } else {
        /* A final newline, as the credential files have. */
        *len = strlen(s);
        *text = s;
        rc = cp_jws_end_line(text, len);
      }
    }
  }
  json_decref(v);
  return rc;
}

static const char export_status_help[] =
    "usage: credport export status-list --out FILE [--status-base URL] [--format json|jwt]\n"
    "  Writes this issuer's W3C Bitstring Status List credential (statusPurpose\n"
    "  revocation): one bit per entry of this log, at least 131,072, set for every\n"
    "  revoked award, GZIP-compressed and signed by the issuer's did:key, as JSON\n"
    "  with an eddsa-jcs-2022 proof (default) or as a vc+jwt. Publish it at URL.\n"
    "  --status-base URL is the list's address; it is recorded in the data folder\n"
    "  and used when it is left out (export ob3 --status-base records it too).\n"
    "  An award's index in the list is its seq in this log.\n";

int cli_export_status_list(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"format", 1, 0, 'f'}, {"out", 1, 0, 'o'},
                                       {"status-base", 1, 0, 'b'}, {"help", 0, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *out = NULL, *base = NULL;
  char url[CP_STATUS_URL_MAX + 1], *text = NULL;
  cp_store *s = NULL;
  cp_reader *r = NULL;
  cp_key *k = NULL;
  cp_diag d = {{0}};
  size_t len = 0, nrev = 0;
  int o, st, jwt = 0, rc;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'f':
      if (strcmp(optarg, "json") == 0)
        jwt = 0;
      else if (strcmp(optarg, "jwt") == 0)
        jwt = 1;
      else
        return cli_usage(c, "--format: \"%s\" is not a format (json, jwt)", optarg);
      break;
    case 'o': out = optarg; break;
    case 'b': base = optarg; break;
    case 'h': fputs(export_status_help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", export_status_help);
    }
  }
  if (optind != argc)
    return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind], export_status_help);
  if (out == NULL) return cli_usage(c, "export status-list needs --out FILE\n%s",
                                    export_status_help);
  if ((st = cli_open_store(c, CP_STORE_RDONLY, &s)) != CLI_OK) return st;
  if ((st = cli_issuer_key(c, s, KEY_GONE, &k)) != CLI_OK) goto out;
  if ((st = cli_status_base(c, base, url)) != CLI_OK) goto out;
  if (cp_reader_begin(s, &r) != 0) {
    st = cli_fail(c, "cannot read the ledger");
    goto out;
  }
  if ((rc = cli_status_list_text(r, k, url, jwt, &text, &len, &nrev, &d)) != 0) {
    st = cli_fail(c, "cannot make the status list: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  if (cli_write_atomic(out, text, len, 0644, &d) != 0) {
    st = cli_fail(c, "%s", d.msg);
    goto out;
  }
  fprintf(strcmp(out, "-") == 0 ? stderr : stdout,
          "status list %s: %zu revoked award%s, written to %s\n", url, nrev, nrev == 1 ? "" : "s",
          out);
out:
  free(text);
  cp_reader_end(r);
  cp_key_free(k);
  cp_store_close(s);
  return st;
}

int cli_vc_status(const char *list_path, const json_t *vc, const uint8_t issuer[CP_PK_BYTES],
                  int *revoked, cp_diag *d) {
  cp_status_list l;
  cp_diag d2 = {{0}};
  char *text = NULL;
  size_t len = 0;
  const json_t *status = json_object_get(vc, "credentialStatus");
  int rc;
  if (status == NULL)
    return cp_diag_set(d, CP_EDENIED, "the credential carries no credentialStatus: %s cannot "
                       "say whether it is revoked", list_path);
  if ((rc = cli_read_file(list_path, CP_JWS_MAX, &text, &len, d)) != 0) return rc;
  rc = cp_status_list_open(text, len, &l, &d2);
  free(text);
  if (rc != 0) return cp_diag_set(d, rc, "status list %s: %s", list_path, d2.msg);
  rc = cp_status_check(&l, status, issuer, revoked, &d2);
  cp_status_list_free(&l);
  if (rc != 0) return cp_diag_set(d, rc, "status list %s: %s", list_path, d2.msg);
  return CP_OK;
}
