/* credport CLI — commands that write to the node's own log. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/note.h"

/* ---- init ------------------------------------------------------------------ */

static const char init_help[] =
    "usage: credport [-d DIR] init --name NAME --jurisdiction CODE --role ROLE [--origin NAME]\n"
    "                             [--country]\n"
    "  Creates DIR with a new authority key (DIR/authority.key, mode 0600), a witness key\n"
    "  (DIR/witness.key, mode 0600), the ledger, and the log's genesis entry. ROLE is\n"
    "  state, district, provider, assessor or ihe.\n"
    "  CODE is ISO 3166: a country (US) or a subdivision (US-NC for North Carolina). A bare\n"
    "  code that is also a US state's abbreviation (NC is New Caledonia) is refused unless\n"
    "  --country says the country is meant.\n"
    "  --origin sets the checkpoint origin (default credport/<jurisdiction>/<key prefix>).\n";

int cmd_init(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"name", 1, 0, 'n'}, {"jurisdiction", 1, 0, 'j'},
                                       {"role", 1, 0, 'r'}, {"origin", 1, 0, 'o'},
                                       {"json", 0, 0, 'J'}, {"country", 0, 0, 'C'},
                                       {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *name = NULL, *jur = NULL, *role = NULL, *origin = NULL;
  int o, country_ok = 0;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'n': name = optarg; break;
    case 'j': jur = optarg; break;
    case 'r': role = optarg; break;
    case 'o': origin = optarg; break;
    case 'J': c->json = 1; break;
    case 'C': country_ok = 1; break;
    case 'h': fputs(init_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, init_help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (name == NULL || jur == NULL || role == NULL)
    return cli_usage(c, "--name, --jurisdiction and --role are required\n%s", init_help);
  unsigned r = cp_role_parse(role);
  if (r == 0)
    return cli_usage(c, "--role: \"%s\" is not one of state, district, provider, assessor, ihe",
                     role);
  char jwhat[200], jerr[400];
  if (cli_jurisdiction_check(jur, country_ok, jwhat, sizeof jwhat, jerr, sizeof jerr) != CP_OK)
    return cli_usage(c, "--jurisdiction: %s; nothing written", jerr);
  if (strstr(jwhat, "not checked") != NULL) fprintf(stderr, "credport init: jurisdiction %s\n", jwhat);
  char path[PATH_MAX], keypath[PATH_MAX], org[CP_ORIGIN_MAX + 1];
  struct stat st;
  cli_path(c, "authority.key", keypath, sizeof keypath);
  if (stat(keypath, &st) == 0)
    return cli_fail(c, "%s already holds an authority key; nothing changed", c->data);
  if (mkdir(c->data, 0700) != 0 && errno != EEXIST)
    return cli_fail(c, "cannot create %s: %s", c->data, strerror(errno));
  cp_key *k = NULL;
  cp_store *s = NULL;
  cp_diag d = {{0}};
  uint8_t pk[CP_PK_BYTES];
  int rc = cp_key_generate(&k);
  if (rc != 0) return cli_fail(c, "cannot generate a key: %s", cp_strerror(rc));
  cp_key_public(k, pk);
  if (origin == NULL) {
    char lower[16], hex[17];
    size_t i = 0;
    for (; jur[i] && i < sizeof lower - 1; i++)
      lower[i] = (char)(jur[i] >= 'A' && jur[i] <= 'Z' ? jur[i] + 32 : jur[i]);
    lower[i] = 0;
    cp_hex_encode(pk, 8, hex);
    snprintf(org, sizeof org, "credport/%s/%s", lower, hex);
    origin = org;
  }
  /* Validate everything before anything is written. */
  cp_entry probe;
  uint8_t buf[CP_ENTRY_MAX];
  size_t len;
  memset(&probe, 0, sizeof probe);
  probe.version = CP_ENTRY_VERSION;
  probe.type = CP_T_AUTHORITY;
  memcpy(probe.log, pk, CP_PK_BYTES);
  probe.u.authority.name = (cp_str){name, strlen(name)};
  probe.u.authority.jurisdiction = (cp_str){jur, strlen(jur)};
  probe.u.authority.origin = (cp_str){origin, strlen(origin)};
  probe.u.authority.role = (uint8_t)r;
  if ((rc = cp_entry_check_new(&probe, &d)) != 0 ||
      (rc = cp_entry_encode_unsigned(&probe, buf, sizeof buf, &len, &d)) != 0) {
    cp_key_free(k);
    cli_human_msg(d.msg, sizeof d.msg);
    return cli_usage(c, "%s", d.msg);
  }
  cli_path(c, "ledger", path, sizeof path);
  if ((rc = cp_key_save(k, keypath, &d)) != 0) {
    cp_key_free(k);
    return cli_fail(c, "cannot write %s: %s", keypath, d.msg[0] ? d.msg : cp_strerror(rc));
  }
  rc = cp_store_open(path, 0, &s, &d);
  if (rc == 0) rc = cp_store_init_authority(s, k, name, jur, r, origin, cli_now(), &d);
  cp_store_close(s);
  cp_key_free(k);
  if (rc != 0) {
    unlink(keypath);
    return cli_fail(c, "cannot create the ledger: %s", d.msg[0] ? d.msg : cp_strerror(rc));
  }
  return cmd_whoami(c, 1, argv);
}

/* ---- whoami ---------------------------------------------------------------- */

/* Says so when DIR/authority.key is not the log's key in force. */
static int whoami_key_check(cli *c, const uint8_t signer[CP_PK_BYTES]) {
  char path[PATH_MAX];
  cp_key *k = NULL;
  cp_diag d = {{0}};
  uint8_t pk[CP_PK_BYTES];
  cli_path(c, "authority.key", path, sizeof path);
  int rc = cp_key_load(path, &k, &d);
  if (rc != 0)
    return cli_fail(c, "cannot use the authority key %s: %s", path,
                    d.msg[0] ? d.msg : cp_strerror(rc));
  cp_key_public(k, pk);
  cp_key_free(k);
  if (memcmp(pk, signer, CP_PK_BYTES) != 0) {
    char hex[2 * CP_PK_BYTES + 1];
    cp_hex_encode(pk, CP_PK_BYTES, hex);
    return cli_fail(c, "the authority key %s (public key %s) is not this log's key in force "
                    "shown above: this node cannot sign (docs/OPERATIONS.md, \"Key rotation\")",
                    path, hex);
  }
  return CLI_OK;
}

int cmd_whoami(cli *c, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) c->json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: credport [-d DIR] whoami [--json]\n"
             "  Prints this node's authority: public key, did:key, checkpoint origin and the\n"
             "  signed-note verifier key (vkey) that checkpoint verifiers need, and the\n"
             "  witness vkey (cosignature/v1) of the key that cosigns other logs' checkpoints\n"
             "  (DIR/witness.key, created by init, or here for a folder that has none).\n");
      return CLI_OK;
    } else return cli_usage(c, "unknown argument \"%s\"", argv[i]);
  }
  cp_store *s = NULL;
  cp_reader *r = NULL;
  cp_log_info li;
  uint8_t self[CP_PK_BYTES];
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_log(r, self, &li);
  if (rc != 0) {
    st = cli_fail(c, "no authority in %s: %s", c->data, cp_strerror(rc));
    goto out;
  }
  char hex[2 * CP_PK_BYTES + 1], loghex[2 * CP_PK_BYTES + 1], did[CP_DIDKEY_MAX],
      vkey[CP_VKEY_MAX], origin[CP_ORIGIN_MAX + 1], root[CP_B64_LEN(CP_HASH_BYTES) + 1];
  /* The key in force signs entries, checkpoints and the sync handshake;
   * the log key (the genesis entry's) names the log in every entry. */
  cp_hex_encode(li.signer, CP_PK_BYTES, hex);
  cp_hex_encode(self, CP_PK_BYTES, loghex);
  cp_didkey_encode(li.signer, did);
  int rotated = memcmp(self, li.signer, CP_PK_BYTES) != 0;
  snprintf(origin, sizeof origin, "%.*s", (int)li.origin.len, li.origin.p);
  cp_note_vkey_format(origin, CP_NOTE_ALG_ED25519, li.signer, vkey);
  cp_b64_encode(li.root, CP_HASH_BYTES, root);
  char wvkey[CP_VKEY_MAX];
  if ((st = cli_witness_vkey(c, s, wvkey)) != CLI_OK) goto out;
  if (c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "public_key", json_string(hex));
    json_object_set_new(o, "log", json_string(loghex));
    json_object_set_new(o, "did", json_string(did));
    json_object_set_new(o, "origin", json_string(origin));
    json_object_set_new(o, "vkey", json_string(vkey));
    json_object_set_new(o, "witness_vkey", json_string(wvkey));
    json_object_set_new(o, "name", json_stringn(li.name.p, li.name.len));
    json_object_set_new(o, "jurisdiction", json_stringn(li.jurisdiction.p, li.jurisdiction.len));
    json_object_set_new(o, "role", json_string(cp_role_name(li.role)));
    json_object_set_new(o, "size", json_integer((json_int_t)li.size));
    json_object_set_new(o, "root", json_string(root));
    cli_print_json(o);
  } else {
    fputs("authority     ", stdout);
    cli_put_text(stdout, li.name.p, li.name.len);
    fputs(" (", stdout);
    cli_put_text(stdout, li.jurisdiction.p, li.jurisdiction.len);
    printf(", %s)\npublic key    %s\n", cp_role_name(li.role), hex);
    if (rotated) printf("log key       %s (rotated away from)\n", loghex);
    printf("did           %s\norigin        ", did);
    cli_put_text(stdout, origin, strlen(origin));
    fputs("\nvkey          ", stdout);
    cli_put_text(stdout, vkey, strlen(vkey));
    fputs("\nwitness vkey  ", stdout);
    cli_put_text(stdout, wvkey, strlen(wvkey));
    putchar('\n');
    printf("log size      %llu\nroot          %s\n", (unsigned long long)li.size, root);
  }
  if (li.flags & CP_LOG_RETIRED)
    fprintf(stderr, "credport whoami: note: this log's key is retired: it accepts nothing more\n");
  st = whoami_key_check(c, li.signer);
out:
  cp_reader_end(r);
  cp_store_close(s);
  return st;
}

/* ---- educator keygen ----------------------------------------------------- */

int cmd_educator(cli *c, int argc, char **argv) {
  static const char help[] =
      "usage: credport educator keygen --out FILE [--json]\n"
      "  Creates an educator's key file (mode 0600; never overwrites) and prints the\n"
      "  public key that awards name (64 hex digits), then, on stderr, its checked form\n"
      "  ek1-HEX-CRC, which award and award --csv accept and in which a mistyped digit is\n"
      "  refused (docs/FORMATS.md). --json gives public_key, checked, did and key_file.\n";
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(help, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  if (strcmp(argv[1], "keygen") != 0)
    return cli_usage(c, "unknown educator subcommand \"%s\"\n%s", argv[1], help);
  static const struct option opts[] = {
      {"out", 1, 0, 'o'}, {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *out = NULL;
  int o;
  cli_getopt_reset();
  while ((o = getopt_long(argc - 1, argv + 1, "o:h", opts, NULL)) != -1) {
    switch (o) {
    case 'o': out = optarg; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv + 1, opts, help);
    }
  }
  if (out == NULL) return cli_usage(c, "--out FILE is required\n%s", help);
  cp_key *k = NULL;
  cp_diag d = {{0}};
  uint8_t pk[CP_PK_BYTES];
  char hex[2 * CP_PK_BYTES + 1], did[CP_DIDKEY_MAX], checked[CLI_PUBKEY_CHECKED_LEN + 1];
  int rc = cp_key_generate(&k);
  if (rc == 0) rc = cp_key_save(k, out, &d);
  if (rc != 0) {
    cp_key_free(k);
    return cli_fail(c, "cannot write %s: %s", out, d.msg[0] ? d.msg : cp_strerror(rc));
  }
  cp_key_public(k, pk);
  cp_key_free(k);
  cp_hex_encode(pk, CP_PK_BYTES, hex);
  cp_didkey_encode(pk, did);
  cli_format_pubkey_checked(pk, checked);
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "public_key", json_string(hex));
    json_object_set_new(j, "checked", json_string(checked));
    json_object_set_new(j, "did", json_string(did));
    json_object_set_new(j, "key_file", json_string(out));
    cli_print_json(j);
  } else {
    printf("%s\n", hex);
    fprintf(stderr, "checked form (give this to award; a mistyped digit is refused): %s\n",
            checked);
  }
  return CLI_OK;
}
