/* credport CLI — recognition policies on the ledger: policy publish, list, show. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/facts.h"
#include "credport/note.h"

static const char policy_help[] =
    "usage: credport policy publish FILE [--json] [--dry-run]\n"
    "       credport policy list [--json]\n"
    "       credport policy show ID [--json]\n"
    "  publish: checks the policy document FILE (docs/POLICIES.md) and appends it to this\n"
    "           node's log as a policy entry; an invalid document is refused with its line,\n"
    "           column and reason, and nothing is written. Prints the entry ID.\n"
    "  list:    every policy entry this node holds, from any log: entry ID, log, policy id,\n"
    "           time.\n"
    "  show:    prints one policy's document. ID is a policy entry ID (64 hex digits),\n"
    "           the policy id of a policy of this node's own log (its latest version), or\n"
    "           POLICY_ID@AUTHORITY for the latest version published by another authority\n"
    "           (its key as 64 hex digits, did:key or verifier key) that this node holds.\n";

/* POLICY_ID@AUTHORITY: the latest policy entry of that authority's log
 * with that policy id. Policy ids never hold '@' (docs/FORMATS.md, str id),
 * so the first '@' ends the id. */
static int resolve_at(cli *c, cp_reader *r, const char *arg, const char *at,
                      cp_policy_entry *pe) {
  char pid[CP_ID_MAX + 1];
  uint8_t key[CP_PK_BYTES];
  size_t n = (size_t)(at - arg);
  cp_note_verifier v;
  if (n == 0 || n > CP_ID_MAX)
    return cli_fail(c, "policy \"%s\": the policy id before '@' must be 1..%u bytes", arg,
                    CP_ID_MAX);
  memcpy(pid, arg, n);
  pid[n] = 0;
  if (cli_parse_pubkey(at + 1, key) != 0) {
    if (cp_note_vkey_parse(at + 1, strlen(at + 1), &v, NULL) != 0 || v.alg != CP_NOTE_ALG_ED25519)
      return cli_fail(c, "policy \"%s\": \"%s\" after '@' is not an authority key (64 hex "
                      "digits, did:key or verifier key)", arg, at + 1);
    memcpy(key, v.pk, CP_PK_BYTES);
  }
  int rc = cp_reader_policy_named(r, key, pid, pe);
  if (rc == CP_ENOTFOUND) {
    cp_log_info li;
    if (cp_reader_log(r, key, &li) == CP_ENOTFOUND)
      return cli_fail(c, "policy \"%s\": this node holds no log of that authority", arg);
    return cli_fail(c, "policy \"%s\": the authority's log, as this node holds it, has no "
                    "policy \"%s\" (see credport policy list)", arg, pid);
  }
  if (rc != 0) return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  return CLI_OK;
}

int cli_resolve_policy(cli *c, cp_reader *r, const char *arg, cp_policy_entry *pe) {
  uint8_t id[CP_HASH_BYTES], self[CP_PK_BYTES];
  int rc = CP_ENOTFOUND;
  const char *at = strchr(arg, '@');
  if (at != NULL) return resolve_at(c, r, arg, at, pe);
  if (cli_parse_hash(arg, id) == 0) {
    rc = cp_reader_policy(r, id, pe);
    if (rc == CP_EINVAL) return cli_fail(c, "entry %s is not a policy entry", arg);
    if (rc != 0 && rc != CP_ENOTFOUND) return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  }
  if (rc == CP_ENOTFOUND && strlen(arg) <= CP_ID_MAX) {
    if (cp_reader_self(r, self) != 0)
      return cli_fail(c, "policy \"%s\": no policy entry has that ID, and this node has no "
                      "log of its own to look the policy id up in", arg);
    rc = cp_reader_policy_named(r, self, arg, pe);
  }
  if (rc == CP_ENOTFOUND)
    return cli_fail(c, "policy \"%s\": neither a policy entry ID this node holds nor a policy id "
                    "published in its own log (see credport policy list)", arg);
  if (rc != 0) return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  return CLI_OK;
}

/* Reads at most CP_POLICY_DOC_MAX + 1 bytes, so an oversize file is seen. */
static int read_doc(cli *c, const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return cli_fail(c, "%s: cannot open: %s", path, strerror(errno));
  char *buf = malloc(CP_POLICY_DOC_MAX + 1);
  if (buf == NULL) {
    fclose(f);
    return cli_fail(c, "out of memory");
  }
  size_t n = fread(buf, 1, CP_POLICY_DOC_MAX + 1, f);
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return cli_fail(c, "%s: cannot read", path);
  }
  *out = buf;
  *len = n;
  return CLI_OK;
}

static int policy_publish(cli *c, const char *path) {
  char *doc = NULL;
  size_t len = 0;
  cp_diag d = {{0}};
  cp_policy *p = NULL;
  uint8_t id[CP_HASH_BYTES];
  int st = read_doc(c, path, &doc, &len);
  if (st != CLI_OK) return st;
  /* "@self" names this node's own log key, as every node will read it from
   * the entry. */
  uint8_t self[CP_PK_BYTES];
  cp_store *s = NULL;
  cp_reader *r = NULL;
  int have_self = 0;
  if ((st = cli_open_store(c, CP_STORE_RDONLY, &s)) != CLI_OK) goto out;
  if (cp_reader_begin(s, &r) == 0) {
    have_self = cp_reader_self(r, self) == 0;
    cp_reader_end(r);
  }
  cp_store_close(s);
  int rc = cp_policy_validate_as(doc, len, have_self ? self : NULL, &d);
  if (rc == 0) rc = cp_policy_compile_as(doc, len, have_self ? self : NULL, &p, &d);
  if (rc != 0) {
    st = cli_fail(c, "%s: %s; nothing was written", path, d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_POLICY;
  e.u.policy.id = (cp_str){cp_policy_id(p), strlen(cp_policy_id(p))};
  e.u.policy.document = (cp_str){doc, len};
  char what[PATH_MAX + 16];
  snprintf(what, sizeof what, "%s: policy", path);
  if ((st = cli_append_one(c, &e, what, id)) != CLI_OK || c->dry_run) goto out;
  char hex[2 * CP_HASH_BYTES + 1];
  cp_hex_encode(id, CP_HASH_BYTES, hex);
  if (c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(hex));
    json_object_set_new(o, "seq", json_integer((json_int_t)e.seq));
    json_object_set_new(o, "policy", json_string(cp_policy_id(p)));
    cli_print_json(o);
  } else {
    printf("%s\n", hex);
  }
out:
  cp_policy_free(p);
  free(doc);
  return st;
}

static json_t *policy_json(const cp_policy_entry *pe) {
  json_t *o = json_object();
  json_object_set_new(o, "id", cli_hex_json(pe->id, CP_HASH_BYTES));
  json_object_set_new(o, "log", cli_hex_json(pe->log, CP_PK_BYTES));
  json_object_set_new(o, "seq", json_integer((json_int_t)pe->seq));
  json_object_set_new(o, "policy", json_stringn(pe->policy_id.p, pe->policy_id.len));
  cli_set_time(o, "time", pe->time);
  return o;
}

typedef struct {
  cp_reader *r;
  json_t *arr;
  size_t n;
} list_acc;

static int list_one(void *ctx, const uint8_t *buf, size_t len) {
  list_acc *l = ctx;
  cp_policy_entry pe;
  uint8_t id[CP_HASH_BYTES];
  cp_entry_id(buf, len, id);
  int rc = cp_reader_policy(l->r, id, &pe);
  if (rc != 0) return rc;
  l->n++;
  if (l->arr != NULL) {
    json_array_append_new(l->arr, policy_json(&pe));
  } else {
    char hex[2 * CP_HASH_BYTES + 1], log[17], date[11];
    cp_hex_encode(pe.id, CP_HASH_BYTES, hex);
    cp_hex_encode(pe.log, 8, log);
    cp_date_format((uint32_t)(pe.time / 86400u), date);
    printf("%s  log %s… seq %-6llu %s  %.*s\n", hex, log, (unsigned long long)pe.seq, date,
           (int)pe.policy_id.len, pe.policy_id.p);
  }
  return 0;
}

int cmd_policy(cli *c, int argc, char **argv) {
  if (argc < 2 || cli_wants_help(argc, argv)) {
    fputs(policy_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  const char *sub = argv[1];
  const char *arg = NULL;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    else if (strcmp(argv[i], "--dry-run") == 0 && strcmp(sub, "publish") == 0) c->dry_run = 1;
    else if (arg == NULL && argv[i][0] != '-') arg = argv[i];
    else return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[i], policy_help);
  }
  if (strcmp(sub, "publish") == 0) {
    if (arg == NULL) return cli_usage(c, "policy publish needs a FILE\n%s", policy_help);
    return policy_publish(c, arg);
  }
  if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0)
    return cli_usage(c, "unknown policy command \"%s\" (publish, list, show)\n%s", sub,
                     policy_help);
  int list = strcmp(sub, "list") == 0;
  if (list && arg != NULL) return cli_usage(c, "policy list takes no argument");
  if (!list && arg == NULL) return cli_usage(c, "policy show needs an ID\n%s", policy_help);
  cp_store *s = NULL;
  cp_reader *r = NULL;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  int rc = cp_reader_begin(s, &r);
  if (rc != 0) {
    st = cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  } else if (list) {
    list_acc l = {r, c->json ? json_array() : NULL, 0};
    rc = cp_reader_by_type(r, CP_T_POLICY, list_one, &l);
    if (rc != 0) {
      json_decref(l.arr);
      st = cli_fail(c, "cannot list the policies: %s", cp_strerror(rc));
    } else if (l.arr != NULL) {
      cli_print_json(l.arr);
    } else if (l.n == 0) {
      fprintf(stderr, "(no policy entries held)\n");
    }
  } else {
    cp_policy_entry pe;
    st = cli_resolve_policy(c, r, arg, &pe);
    if (st == CLI_OK && c->json) {
      json_t *o = policy_json(&pe);
      json_object_set_new(o, "document", json_stringn(pe.document.p, pe.document.len));
      cli_print_json(o);
    } else if (st == CLI_OK) {
      fwrite(pe.document.p, 1, pe.document.len, stdout);
    }
  }
  cp_reader_end(r);
  cp_store_close(s);
  return st;
}
