/* credport CLI — Open Badges 3.0: `export ob3` on the issuing node and the
 * offline `verify-vc` (docs/FORMATS.md, "Open Badges 3.0 export"). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/ob3.h"
#include "credport/ob3_jwt.h"
#include "credport/statuslist.h"
#include "credport/ob3_store.h"

/* ---- formats ------------------------------------------------------------------- */

/* One writer per format: the credential for in, signed with k, as text. */
typedef int (*ob3_writer)(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                          void *sctx, char **text, size_t *len, cp_diag *d);

static int write_json(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                      void *sctx, char **text, size_t *len, cp_diag *d) {
  return cp_ob3_export_json(in, k, status, sctx, text, len, d);
}

static const struct ob3_format {
  const char *name, *ext;
  ob3_writer write;
} ob3_formats[] = {
    {"json", ".json", write_json},
    {"jwt", ".jwt", cp_ob3_export_jwt},
};

static const struct ob3_format *find_format(const char *name) {
  for (size_t i = 0; i < sizeof ob3_formats / sizeof ob3_formats[0]; i++)
    if (strcmp(ob3_formats[i].name, name) == 0) return &ob3_formats[i];
  return NULL;
}

/* ---- export ob3 ---------------------------------------------------------------- */

static const char export_ob3_help[] =
    "usage: credport export ob3 AWARD_ID [--format json|jwt] [--out FILE] [--status-base URL]\n"
    "       credport export ob3 --educator PUBKEY --out FOLDER [--format json|jwt]\n"
    "                       [--status-base URL]\n"
    "  Writes an award of this node's log as an Open Badges 3.0 OpenBadgeCredential\n"
    "  (W3C VC 2.0), secured with an eddsa-jcs-2022 Data Integrity proof by this\n"
    "  authority's did:key; to stdout or FILE. With --educator, every award of this\n"
    "  log to that educator (64 hex digits or did:key), one file per award named\n"
    "  AWARD_ID.json in FOLDER (created if missing); revoked awards are left out.\n"
    "  --format jwt: a VC-JOSE-COSE vc+jwt (EdDSA, kid the issuer's did:key), named\n"
    "  AWARD_ID.jwt. --status-base URL: each credential carries a credentialStatus\n"
    "  (BitstringStatusListEntry, index the award's seq) into the list at URL\n"
    "  (export status-list); the URL is recorded in the data folder.\n"
    "  Only the issuing node can export: it alone holds the issuer's key.\n";

typedef struct ob3_export {
  cli *c;
  cp_reader *r;
  const cp_key *k;
  const struct ob3_format *fmt;
  cp_ob3_status_fn status; /* the credentialStatus hook; NULL: no status */
  void *status_ctx;
  const char *folder;
  size_t written, revoked;
} ob3_export;

static int write_file(const char *path, const char *text, size_t len, cp_diag *d) {
  char tmp[PATH_MAX];
  FILE *f;
  int rc = 0;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
    return cp_diag_set(d, CP_EINVAL, "path too long: %s", path);
  if ((f = fopen(tmp, "wb")) == NULL)
    return cp_diag_set(d, -errno, "cannot create %s: %s", tmp, strerror(errno));
  if (fwrite(text, 1, len, f) != len) rc = -errno;
  if (fclose(f) != 0 && rc == 0) rc = -errno;
  if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
  if (rc != 0) {
    unlink(tmp);
    return cp_diag_set(d, rc, "cannot write %s: %s", path, strerror(-rc));
  }
  return 0;
}

/* Builds and writes one award: to out (NULL: stdout), or into x->folder
 * when that is set, where a revoked award is counted and left out. */
static int export_one(ob3_export *x, const uint8_t id[CP_HASH_BYTES], const char *out) {
  cp_ob3_gathered *g = malloc(sizeof *g);
  cp_diag d = {{0}};
  char *text = NULL, hex[2 * CP_HASH_BYTES + 1], path[PATH_MAX];
  size_t len = 0;
  uint8_t self[CP_PK_BYTES];
  int rc, st = CLI_OK;
  if (g == NULL) return cli_fail(x->c, "out of memory");
  cp_hex_encode(id, CP_HASH_BYTES, hex);
  rc = cp_ob3_gather(x->r, id, g, &d);
  if (rc != 0) {
    st = cli_fail(x->c, "cannot export %s: %s", hex, d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  if (g->revoked && x->folder != NULL) {
    x->revoked++;
    goto out;
  }
  if (g->revoked) {
    char date[11], why[4 * CP_STR_MAX];
    cp_date_format((uint32_t)(g->revocation.time / 86400), date);
    st = cli_fail(x->c, "award %s was revoked on %s (%s): a credential for it would verify "
                  "forever, so none is exported", hex, date,
                  cli_text(g->revocation.u.revoke.reason.p, g->revocation.u.revoke.reason.len,
                           why, sizeof why));
    goto out;
  }
  if (cp_reader_self(x->r, self) != 0 || memcmp(self, g->award.log, CP_PK_BYTES) != 0) {
    char did[CP_DIDKEY_MAX], name[4 * CP_STR_MAX];
    cp_didkey_encode(g->award.log, did);
    cli_text(g->genesis.u.authority.name.p, g->genesis.u.authority.name.len, name, sizeof name);
    st = cli_fail(x->c, "award %s was issued by %s (%s): only that authority's node holds its "
                  "key and can export it", hex, name, did);
    goto out;
  }
  if ((rc = x->fmt->write(&g->in, x->k, x->status, x->status_ctx, &text, &len, &d)) != 0) {
    st = cli_fail(x->c, "cannot export %s: %s", hex, d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  if (x->folder != NULL) {
    snprintf(path, sizeof path, "%s/%s%s", x->folder, hex, x->fmt->ext);
    out = path;
  }
  if (out == NULL) {
    if (fwrite(text, 1, len, stdout) != len) st = cli_fail(x->c, "cannot write to stdout");
  } else if ((rc = write_file(out, text, len, &d)) != 0) {
    st = cli_fail(x->c, "%s", d.msg);
  }
  if (st == CLI_OK) x->written++;
out:
  free(text);
  free(g);
  return st;
}

static int on_educator_award(void *ctx, const uint8_t id[CP_HASH_BYTES]) {
  ob3_export *x = ctx;
  return export_one(x, id, NULL) == CLI_OK ? 0 : CP_EINVAL;
}

static const char OB3_KEY_GONE[] = "an Open Badges credential is signed by the issuer's did:key "
                                   "(its genesis key), which no longer signs";

static int export_ob3(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"format", 1, 0, 'f'}, {"out", 1, 0, 'o'},
                                       {"educator", 1, 0, 'e'}, {"help", 0, 0, 'h'},
                                       {"status-base", 1, 0, 'b'}, {0, 0, 0, 0}};
  const char *out = NULL, *educator = NULL, *status_base = NULL;
  char status_url[CP_STATUS_URL_MAX + 1];
  cli_status_ctx sx;
  uint8_t id[CP_HASH_BYTES], ed[CP_PK_BYTES], self[CP_PK_BYTES];
  ob3_export x;
  cp_store *s = NULL;
  cp_key *k = NULL;
  int o, st;
  memset(&x, 0, sizeof x);
  x.c = c;
  x.fmt = &ob3_formats[0];
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'f':
      if ((x.fmt = find_format(optarg)) == NULL)
        return cli_usage(c, "--format: \"%s\" is not a format (json, jwt)", optarg);
      break;
    case 'b': status_base = optarg; break;
    case 'o': out = optarg; break;
    case 'e': educator = optarg; break;
    case 'h': fputs(export_ob3_help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", export_ob3_help);
    }
  }
  if (educator != NULL) {
    if (optind != argc)
      return cli_usage(c, "--educator takes no AWARD_ID (\"%s\")\n%s", argv[optind],
                       export_ob3_help);
    if (out == NULL) return cli_usage(c, "--educator needs --out FOLDER\n%s", export_ob3_help);
    if (cli_parse_pubkey(educator, ed) != 0)
      return cli_usage(c, "--educator: \"%s\" is not a public key (64 hex digits or did:key)",
                       educator);
  } else {
    if (argc - optind != 1) return cli_usage(c, "export ob3 takes one AWARD_ID\n%s",
                                             export_ob3_help);
    if (cli_parse_hash(argv[optind], id) != 0)
      return cli_usage(c, "\"%s\" is not an award ID (64 hex digits)", argv[optind]);
  }
  if ((st = cli_open_store(c, CP_STORE_RDONLY, &s)) != CLI_OK) return st;
  if ((st = cli_issuer_key(c, s, OB3_KEY_GONE, &k)) != CLI_OK) goto out;
  if (cp_reader_begin(s, &x.r) != 0) {
    st = cli_fail(c, "cannot read the ledger");
    goto out;
  }
  x.k = k;
  if (status_base != NULL) {
    if ((st = cli_status_base(c, status_base, status_url)) != CLI_OK) goto out;
    sx.r = x.r;
    sx.url = status_url;
    x.status = cli_status_entry;
    x.status_ctx = &sx;
  }
  if (educator == NULL) {
    st = export_one(&x, id, out);
    goto out;
  }
  if (mkdir(out, 0755) != 0 && errno != EEXIST) {
    st = cli_fail(c, "cannot create %s: %s", out, strerror(errno));
    goto out;
  }
  x.folder = out;
  if (cp_reader_self(x.r, self) != 0 ||
      cp_ob3_each_award(x.r, self, ed, on_educator_award, &x) != 0) {
    st = CLI_FAIL;
    goto out;
  }
  printf("exported %zu credential%s to %s", x.written, x.written == 1 ? "" : "s", out);
  if (x.revoked > 0) printf(" (%zu revoked award%s left out)", x.revoked, x.revoked == 1 ? "" : "s");
  putchar('\n');
out:
  cp_reader_end(x.r);
  cp_key_free(k);
  cp_store_close(s);
  return st;
}

/* ---- export -------------------------------------------------------------------- */

static const char export_help[] =
    "usage: credport export WHAT ...\n"
    "  ob3    an award as an Open Badges 3.0 credential (export ob3 --help)\n"
    "  status-list  this issuer's Bitstring Status List (export status-list --help)\n";

static const struct {
  const char *what;
  int (*fn)(cli *c, int argc, char **argv);
} exports[] = {
    {"ob3", export_ob3},
    {"status-list", cli_export_status_list},
};

int cmd_export(cli *c, int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    if (argc >= 2) {
      fputs(export_help, stdout);
      return CLI_OK;
    }
    return cli_usage(c, "what to export?\n%s", export_help);
  }
  for (size_t i = 0; i < sizeof exports / sizeof exports[0]; i++)
    if (strcmp(argv[1], exports[i].what) == 0) return exports[i].fn(c, argc - 1, argv + 1);
  return cli_usage(c, "cannot export \"%s\"\n%s", argv[1], export_help);
}

/* ---- verify-vc ----------------------------------------------------------------- */

static const char verify_vc_help[] =
    "usage: credport verify-vc FILE [--status-list LIST] [--json]\n"
    "  Verifies an Open Badges 3.0 credential offline (no node needed): its\n"
    "  eddsa-jcs-2022 proof, or as a vc+jwt its EdDSA JWS, made by the issuer's own\n"
    "  did:key. With --status-list, LIST (the issuer's Bitstring Status List file,\n"
    "  either form; its own signature is verified first) says whether the\n"
    "  credential is revoked.\n"
    "  Exit status: 0 valid, 1 not valid (bad proof, signed by a key that is not\n"
    "  the issuer's, revoked, or a list that is not the credential's), 2 malformed\n"
    "  input.\n";

int cmd_verify_vc(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"json", 0, 0, 'J'}, {"help", 0, 0, 'h'},
                                       {"status-list", 1, 0, 'S'}, {0, 0, 0, 0}};
  cp_diag d = {{0}};
  cp_ob3_verdict v;
  char *text = NULL, did[CP_DIDKEY_MAX];
  const char *list = NULL;
  size_t len = 0;
  json_t *vc = NULL;
  int o, rc, st, jwt = 0, revoked = -1;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'J': c->json = 1; break;
    case 'S': list = optarg; break;
    case 'h': fputs(verify_vc_help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", verify_vc_help);
    }
  }
  if (argc - optind != 1) return cli_usage(c, "verify-vc takes one FILE\n%s", verify_vc_help);
  rc = cli_read_file(argv[optind], CP_OB3_JWT_MAX, &text, &len, &d);
  if (rc == 0) rc = cp_ob3_verify_any(text, len, &v, &vc, &jwt, &d);
  free(text);
  if (rc == 0 && list != NULL) rc = cli_vc_status(list, vc, v.issuer, &revoked, &d);
  json_decref(vc);
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "valid", json_boolean(rc == 0 && revoked != 1));
    if (rc == 0) {
      cp_didkey_encode(v.issuer, did);
      json_object_set_new(j, "id", json_string(v.id));
      json_object_set_new(j, "issuer", json_string(did));
      json_object_set_new(j, "format", json_string(jwt ? "vc+jwt" : "eddsa-jcs-2022"));
      if (revoked >= 0) json_object_set_new(j, "revoked", json_boolean(revoked));
    } else {
      json_object_set_new(j, "reason", json_string(d.msg[0] ? d.msg : cp_strerror(rc)));
    }
    cli_print_json(j);
  }
  if (rc == 0 && revoked == 1) {
    st = cli_fail(c, "the credential is NOT valid: revoked (its bit is set in %s)", list);
  } else if (rc == CP_EBADSIG || rc == CP_EDENIED) {
    st = cli_fail(c, "the credential is NOT valid: %s", d.msg);
  } else if (rc != 0) {
    fprintf(stderr, "credport %s: error: malformed credential: %s\n", c->cmd,
            d.msg[0] ? d.msg : cp_strerror(rc));
    st = CLI_USAGE;
  } else {
    st = CLI_OK;
    if (!c->json) {
      char id[4 * sizeof v.id];
      cp_didkey_encode(v.issuer, did);
      printf("ok: %s issued by %s (%s by the issuer's key verified)\n",
             cli_text(v.id, strlen(v.id), id, sizeof id), did,
             jwt ? "vc+jwt EdDSA signature" : "eddsa-jcs-2022 proof");
      if (revoked == 0) printf("not revoked: its bit is clear in %s\n", list);
    }
  }
  return st;
}
