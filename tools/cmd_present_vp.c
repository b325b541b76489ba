/* credport CLI — Verifiable Presentations as vp+jwt: `present --format
 * vp-jwt` (the educator signs chosen Open Badges credentials with a
 * verifier's challenge and audience) and `verify-vp` (docs/FORMATS.md,
 * "Presentations"). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/jws.h"
#include "credport/ob3_jwt.h"
#include "credport/statuslist.h"
#include "credport/trust.h"

static const char present_vp_help[] =
    "usage: credport present --format vp-jwt --key EDUCATOR_KEY_FILE --from FOLDER\n"
    "                        --challenge NONCE --audience NAME --out FILE\n"
    "  Wraps the Open Badges 3.0 credentials in FOLDER (every *.jwt and *.json file,\n"
    "  as `export ob3 --educator` writes them) in a W3C Verifiable Presentation\n"
    "  signed by the educator's did:key as a vp+jwt, bound to the verifier's\n"
    "  challenge (nonce) and name (aud). JWT credentials travel as\n"
    "  EnvelopedVerifiableCredential, JSON ones embedded. Every credential must\n"
    "  verify and name the key's did:key as its subject. No node is needed.\n";

static int has_ext(const char *name, const char *ext) {
  size_t n = strlen(name), e = strlen(ext);
  return n > e && strcmp(name + n - e, ext) == 0;
}

static int cred_file(const struct dirent *de) {
  return de->d_name[0] != '.' && (has_ext(de->d_name, ".jwt") || has_ext(de->d_name, ".json"));
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

int cmd_present_vp(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"format", 1, 0, 'f'},    {"key", 1, 0, 'k'},      {"from", 1, 0, 'F'},
      {"challenge", 1, 0, 'c'}, {"audience", 1, 0, 'a'}, {"out", 1, 0, 'o'},
      {"help", 0, 0, 'h'},      {0, 0, 0, 0}};
  const char *keyf = NULL, *from = NULL, *chal = NULL, *aud = NULL, *out = NULL;
  struct dirent **names = NULL;
  char *texts[CP_VP_CREDS_MAX] = {0}, *vp = NULL;
  size_t lens[CP_VP_CREDS_MAX], len = 0, i, n = 0;
  cp_key *k = NULL;
  cp_diag d = {{0}};
  cp_vp_input in;
  int o, st = CLI_OK, nn = 0, rc;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'f':
      if (strcmp(optarg, "vp-jwt") != 0)
        return cli_usage(c, "--format: \"%s\" is not vp-jwt\n%s", optarg, present_vp_help);
      break;
    case 'k': keyf = optarg; break;
    case 'F': from = optarg; break;
    case 'c': chal = optarg; break;
    case 'a': aud = optarg; break;
    case 'o': out = optarg; break;
    case 'h': fputs(present_vp_help, stdout); return CLI_OK;
    default: return cli_usage(c, "unknown option or missing value\n%s", present_vp_help);
    }
  }
  if (optind != argc)
    return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[optind], present_vp_help);
  if (keyf == NULL || from == NULL || chal == NULL || aud == NULL || out == NULL)
    return cli_usage(c, "--key, --from, --challenge, --audience and --out are all needed\n%s",
                     present_vp_help);
  if (chal[0] == 0 || strlen(chal) > CP_STR_MAX || aud[0] == 0 || strlen(aud) > CP_STR_MAX)
    return cli_usage(c, "--challenge and --audience must each be 1 to %u bytes", CP_STR_MAX);
  if ((rc = cp_key_load(keyf, &k, &d)) != 0)
    return cli_fail(c, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
  if ((nn = scandir(from, &names, cred_file, by_name)) < 0) {
    st = cli_fail(c, "cannot read the folder %s: %s", from, strerror(errno));
    nn = 0;
    goto out;
  }
  if (nn == 0) {
    st = cli_fail(c, "%s holds no credential (*.jwt or *.json)", from);
    goto out;
  }
  if ((size_t)nn > CP_VP_CREDS_MAX) {
    st = cli_fail(c, "%s holds %d credentials; a presentation takes at most %u", from, nn,
                  CP_VP_CREDS_MAX);
    goto out;
  }
  for (n = 0; n < (size_t)nn; n++) {
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", from, names[n]->d_name) >= sizeof path) {
      st = cli_fail(c, "path too long in %s", from);
      goto out;
    }
    if ((rc = cli_read_file(path, CP_OB3_JWT_MAX, &texts[n], &lens[n], &d)) != 0) {
      st = cli_fail(c, "%s", d.msg);
      goto out;
    }
  }
  in.texts = (const char *const *)texts;
  in.lens = lens;
  in.n = n;
  in.challenge = chal;
  in.audience = aud;
  in.now = cli_now();
  if ((rc = cp_vp_sign(&in, k, &vp, &len, &d)) != 0) {
    /* d names the credential by position: name its file too. */
    unsigned long pos = 0;
    const char *p = strstr(d.msg, "credential ");
    if (p != NULL) pos = strtoul(p + 11, NULL, 10);
    if (pos >= 1 && pos <= n)
      st = cli_fail(c, "%s: %s; nothing written", names[pos - 1]->d_name, d.msg);
    else
      st = cli_fail(c, "%s; nothing written", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  if (cli_write_atomic(out, vp, len, 0644, &d) != 0) {
    st = cli_fail(c, "%s", d.msg);
    goto out;
  }
  fprintf(strcmp(out, "-") == 0 ? stderr : stdout,
          "presentation of %zu credential%s for \"%s\" written to %s\n", n, n == 1 ? "" : "s",
          aud, out);
out:
  for (i = 0; i < (size_t)nn; i++) free(names[i]);
  free(names);
  for (i = 0; i < n; i++) free(texts[i]);
  free(vp);
  cp_key_free(k);
  return st;
}

/* ---- verify-vp ----------------------------------------------------------------- */

static const char verify_vp_help[] =
    "usage: credport verify-vp FILE --challenge NONCE --audience NAME\n"
    "                          [--status-list LIST]... [--json]\n"
    "  Verifies a vp+jwt presentation offline: the holder's did:key signed it for\n"
    "  this challenge and audience, and every credential in it verifies (vc+jwt or\n"
    "  eddsa-jcs-2022, by its issuer's did:key) and names the holder as its\n"
    "  subject. Each --status-list (an issuer's Bitstring Status List file, its own\n"
    "  signature verified first) is used for the credentials that point into it.\n"
    "  Exit status: 0 valid, 1 not valid (another challenge or audience, a key that\n"
    "  is not the subject's, a bad signature, a revoked credential), 2 malformed.\n";

int cmd_verify_vp(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"challenge", 1, 0, 'c'}, {"audience", 1, 0, 'a'},
                                       {"status-list", 1, 0, 'S'}, {"json", 0, 0, 'J'},
                                       {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *chal = NULL, *aud = NULL, *lists[CP_VP_STATUS_LISTS_MAX];
  size_t nl = 0;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'c': chal = optarg; break;
    case 'a': aud = optarg; break;
    case 'J': c->json = 1; break;
    case 'S':
      if (nl == CP_VP_STATUS_LISTS_MAX)
        return cli_usage(c, "at most %u --status-list", CP_VP_STATUS_LISTS_MAX);
      lists[nl++] = optarg;
      break;
    case 'h': fputs(verify_vp_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, verify_vp_help);
    }
  }
  if (argc - optind != 1 || chal == NULL || aud == NULL)
    return cli_usage(c, "verify-vp takes one FILE, --challenge and --audience\n%s",
                     verify_vp_help);
  return cli_verify_vp_file(c, argv[optind], chal, aud, NULL, lists, nl);
}

/* Whether key is one of the trusted issuer keys. */
static int trusted_issuer(const cp_trust *t, const uint8_t key[CP_PK_BYTES]) {
  for (size_t i = 0; i < t->n_issuers; i++)
    if (memcmp(t->issuers[i].pk, key, CP_PK_BYTES) == 0) return 1;
  return 0;
}

int cli_verify_vp_file(cli *c, const char *file, const char *chal, const char *aud,
                       const cp_trust *trust, const char *const *lists, size_t nl) {
  cp_status_list sl[CP_VP_STATUS_LISTS_MAX];
  size_t len = 0, i, ol = 0;
  char *text = NULL, did[CP_DIDKEY_MAX];
  cp_vp_result r;
  cp_diag d = {{0}};
  json_t *j = NULL, *arr = NULL;
  int rc, st = CLI_OK, any_revoked = 0;
  memset(sl, 0, sizeof sl);
  memset(&r, 0, sizeof r);
  if (nl > CP_VP_STATUS_LISTS_MAX) return cli_usage(c, "at most %u --status-list", CP_VP_STATUS_LISTS_MAX);
  if ((rc = cli_read_file(file, CP_JWS_MAX, &text, &len, &d)) != 0) goto verdict;
  if ((rc = cp_vp_verify(text, len, chal, aud, &r, &d)) != 0) goto verdict;
  /* With a trust file (credport verify), every issuer must be trusted. */
  for (i = 0; trust != NULL && i < r.n; i++)
    if (!trusted_issuer(trust, r.cred[i].issuer)) {
      cp_didkey_encode(r.cred[i].issuer, did);
      rc = cp_diag_set(&d, CP_EDENIED, "untrusted issuer: credential %zu is issued by %s, "
                       "which is not in the trust file", i + 1, did);
      goto verdict;
    }
  for (ol = 0; ol < nl; ol++) {
    char *lt = NULL;
    size_t ll = 0;
    cp_diag d2 = {{0}};
    if ((rc = cli_read_file(lists[ol], CP_JWS_MAX, &lt, &ll, &d)) != 0) goto verdict;
    rc = cp_status_list_open(lt, ll, &sl[ol], &d2);
    free(lt);
    if (rc != 0) {
      cp_diag_set(&d, rc, "status list %s: %s", lists[ol], d2.msg);
      goto verdict;
    }
  }
verdict:
  if (rc == 0) {
    arr = json_array();
    cp_didkey_encode(r.holder, did);
    if (!c->json) printf("presented by %s for \"%s\" (challenge verified)\n", did, aud);
    for (i = 0; i < r.n && rc == 0; i++) {
      const json_t *vc = json_array_get(r.vcs, i);
      const json_t *status = json_object_get(vc, "credentialStatus");
      const char *surl = json_string_value(json_object_get(status, "statusListCredential"));
      const char *state = "no status entry";
      char idid[CP_DIDKEY_MAX];
      size_t k;
      for (k = 0; status != NULL && k < nl; k++) {
        int rev = 0;
        cp_diag d2 = {{0}};
        if (surl == NULL || strcmp(surl, sl[k].url) != 0) continue;
        if ((rc = cp_status_check(&sl[k], status, r.cred[i].issuer, &rev, &d2)) != 0) {
          cp_diag_set(&d, rc, "credential %zu: status list %s: %s", i + 1, lists[k], d2.msg);
          break;
        }
        state = rev ? "REVOKED" : "not revoked";
        any_revoked |= rev;
        break;
      }
      if (rc != 0) break;
      if (status != NULL && k == nl) state = "status not checked (no --status-list for it)";
      cp_didkey_encode(r.cred[i].issuer, idid);
      json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "id", r.cred[i].id, "issuer",
                                           idid, "format",
                                           r.jwt[i] ? "vc+jwt" : "eddsa-jcs-2022", "status",
                                           state));
      if (!c->json)
        printf("  %s issued by %s (%s): %s\n", r.cred[i].id, idid,
               r.jwt[i] ? "vc+jwt" : "eddsa-jcs-2022", state);
    }
  }
  if (c->json) {
    j = json_object();
    json_object_set_new(j, "valid", json_boolean(rc == 0 && !any_revoked));
    if (rc == 0) {
      json_object_set_new(j, "holder", json_string(did));
      json_object_set(j, "credentials", arr);
    } else {
      json_object_set_new(j, "reason", json_string(d.msg[0] ? d.msg : cp_strerror(rc)));
    }
    cli_print_json(j);
    json_decref(j);
  }
  if (rc == 0 && any_revoked)
    st = cli_fail(c, "the presentation is NOT valid: it holds a revoked credential");
  else if (rc == CP_EBADSIG || rc == CP_EDENIED)
    st = cli_fail(c, "the presentation is NOT valid: %s", d.msg);
  else if (rc != 0) {
    fprintf(stderr, "credport %s: error: malformed presentation: %s\n", c->cmd,
            d.msg[0] ? d.msg : cp_strerror(rc));
    st = CLI_USAGE;
  }
  json_decref(arr);
  for (i = 0; i < ol; i++) cp_status_list_free(&sl[i]);
  cp_vp_result_free(&r);
  free(text);
  return st;
}
