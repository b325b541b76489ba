/* credport CLI — the node's witness key and the witness keys it trusts. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "credport/note.h"

int cli_witness_key(cli *c, cp_store *s, cp_key **k, char name[CP_ORIGIN_MAX + 1]) {
  char path[PATH_MAX], origin[CP_ORIGIN_MAX + 1];
  cp_reader *r = NULL;
  cp_log_info li;
  uint8_t self[CP_PK_BYTES];
  cp_diag d = {{0}};
  struct stat st;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_log(r, self, &li);
  if (rc == 0) {
    snprintf(origin, sizeof origin, "%.*s", (int)li.origin.len, li.origin.p);
    rc = cp_store_witness_name(origin, self, name);
  }
  cp_reader_end(r);
  if (rc != 0) return cli_fail(c, "no authority in %s: %s", c->data, cp_strerror(rc));
  cli_path(c, "witness.key", path, sizeof path);
  /* A data folder made before witness keys existed gets one on first use. */
  if (stat(path, &st) != 0 && errno == ENOENT) {
    if ((rc = cp_key_generate(k)) != 0)
      return cli_fail(c, "cannot generate a witness key: %s", cp_strerror(rc));
    rc = cp_key_save(*k, path, &d);
    cp_key_free(*k);
    *k = NULL;
    if (rc != 0 && rc != CP_EEXIST)
      return cli_fail(c, "cannot write the witness key %s: %s", path,
                      d.msg[0] ? d.msg : cp_strerror(rc));
  }
  rc = cp_key_load(path, k, &d);
  if (rc != 0)
    return cli_fail(c, "cannot use the witness key %s: %s", path,
                    d.msg[0] ? d.msg : cp_strerror(rc));
  return CLI_OK;
}

int cli_witness_vkey(cli *c, cp_store *s, char vkey[CP_VKEY_MAX]) {
  cp_key *k = NULL;
  char name[CP_ORIGIN_MAX + 1];
  uint8_t pk[CP_PK_BYTES];
  int st = cli_witness_key(c, s, &k, name);
  if (st != CLI_OK) return st;
  cp_key_public(k, pk);
  cp_key_free(k);
  if (cp_note_vkey_format(name, CP_NOTE_ALG_COSIG_V1, pk, vkey) != 0)
    return cli_fail(c, "cannot format the witness key named \"%s\"", name);
  return CLI_OK;
}

static const char witness_help[] =
    "usage: credport [-d DIR] witness trust VKEY     cosignatures by VKEY are checked and kept\n"
    "       credport [-d DIR] witness untrust VKEY   stop keeping them\n"
    "       credport [-d DIR] witness list [--json]  the trusted witness keys\n"
    "  VKEY is a partner's witness_vkey (credport whoami). The node cosigns the checkpoints\n"
    "  of other logs with its own witness key (DIR/witness.key, shown by whoami).\n";

int cmd_witness(cli *c, int argc, char **argv) {
  if (argc < 2) {
    fputs(witness_help, stderr);
    return CLI_USAGE;
  }
  if (cli_wants_help(argc, argv)) {
    fputs(witness_help, stdout);
    return CLI_OK;
  }
  int add = strcmp(argv[1], "trust") == 0, del = strcmp(argv[1], "untrust") == 0;
  cp_store *s = NULL;
  cp_diag d = {{0}};
  int st;
  if (add || del) {
    if (argc != 3) return cli_usage(c, "witness %s takes one VKEY\n%s", argv[1], witness_help);
    if ((st = cli_open_store(c, 0, &s)) != CLI_OK) return st;
    int rc = cp_store_witness_trust(s, argv[2], add, &d);
    cp_store_close(s);
    if (rc != 0) return cli_fail(c, "witness %s refused, nothing changed: %s", argv[1], d.msg);
    return CLI_OK;
  }
  if (strcmp(argv[1], "list") != 0)
    return cli_usage(c, "unknown witness subcommand \"%s\"\n%s", argv[1], witness_help);
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    else return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[i], witness_help);
  }
  static cp_note_verifier v[CP_WITNESS_TRUST_MAX];
  size_t n = 0;
  cp_reader *r = NULL;
  if ((st = cli_open_store(c, CP_STORE_RDONLY, &s)) != CLI_OK) return st;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_witnesses(r, v, CP_WITNESS_TRUST_MAX, &n);
  cp_reader_end(r);
  cp_store_close(s);
  if (rc != 0) return cli_fail(c, "cannot read the trusted witness keys: %s", cp_strerror(rc));
  json_t *a = c->json ? json_array() : NULL;
  for (size_t i = 0; i < n; i++) {
    char vkey[CP_VKEY_MAX];
    if (cp_note_vkey_format(v[i].name, v[i].alg, v[i].pk, vkey) != 0) continue;
    if (a != NULL) json_array_append_new(a, json_string(vkey));
    else {
      cli_put_text(stdout, vkey, strlen(vkey));
      putchar('\n');
    }
  }
  if (a != NULL) cli_print_json(a);
  return CLI_OK;
}
