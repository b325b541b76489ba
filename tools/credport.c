/*
 * credport — the command-line program: one binary, many subcommands.
 *   credport [-d DIR] COMMAND [options]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <lmdb.h>
#include <sodium.h>
#include <uv.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/hash.h"

#ifndef CP_VERSION
#error "CP_VERSION (the project version) must be defined by the build"
#endif

static const char version_help[] =
    "usage: credport version   (or credport --version)\n"
    "  Prints credport's version, then the versions of the libraries it runs with.\n";

/* Prints "credport VERSION" (CMake's project() version) and the libraries'
 * versions in use at run time. */
static int cmd_version(cli *c, int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    fputs(version_help, stdout);
    return CLI_OK;
  }
  if (argc > 1) return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[1], version_help);
  int maj = 0, min = 0, patch = 0;
  mdb_version(&maj, &min, &patch);
  printf("credport %s\nlibsodium %s, LMDB %d.%d.%d, libuv %s, jansson %s\n", CP_VERSION,
         sodium_version_string(), maj, min, patch, uv_version_string(), jansson_version_str());
  return CLI_OK;
}

static const struct {
  const char *name;
  cli_fn fn;
  const char *summary;
} commands[] = {
    {"init", cmd_init, "create this node's authority (key and genesis entry)"},
    {"whoami", cmd_whoami, "show this node's authority key, did:key and checkpoint origin"},
    {"educator", cmd_educator, "educator key tools (educator keygen --out FILE)"},
    {"witness", cmd_witness, "witness keys this node trusts (witness trust|untrust|list)"},
    {"credential", cmd_credential, "define or retire a micro-credential (credential define|retire ...)"},
    {"award", cmd_award, "award a credential to an educator, or many from a CSV file"},
    {"revoke", cmd_revoke, "withdraw an award, endorsement, approval, definition or attestation"},
    {"endorse", cmd_endorse, "endorse an authority or a credential definition"},
    {"approve", cmd_approve, "pre-approve an educator's plan for a credential"},
    {"attest-areas", cmd_attest_areas, "attest an educator's licensure areas for a period"},
    {"log", cmd_log, "list the entries of a log"},
    {"show", cmd_show, "show one entry by its ID"},
    {"checkpoint", cmd_checkpoint, "print a log's latest signed checkpoint (C2SP signed note)"},
    {"prove", cmd_prove, "make an inclusion or consistency proof"},
    {"verify", cmd_bundle_verify, "check an educator's bundle offline (trust file, challenge)"},
    {"verify-proof", cmd_verify_proof, "check a proof offline against a checkpoint"},
    {"export", cmd_export, "export an award as an Open Badges 3.0 credential (export ob3)"},
    {"verify-vc", cmd_verify_vc, "verify an Open Badges 3.0 credential offline"},
    {"verify-vp", cmd_verify_vp, "verify a vp+jwt presentation offline (challenge, audience)"},
    {"revocations", cmd_revocations, "print the signed revocation statement of this log"},
    {"wallet", cmd_wallet, "export an educator's wallet (wallet export --educator KEY)"},
    {"present", cmd_present, "make a signed bundle from a wallet (educator; no node)"},
    {"policy", cmd_policy, "publish, list and show recognition policies"},
    {"recognize", cmd_recognize, "what a policy grants an educator, or the district view"},
    {"audit", cmd_audit, "replay every log from seq 0 and check everything"},
    {"backup", cmd_backup, "write the ledger, key and own-head record into a backup folder"},
    {"restore", cmd_restore, "restore a backup into a new data folder (then sync first)"},
    {"own-head", cmd_own_head, "may this node append? (after a restore: sync first)"},
    {"map-size", cmd_map_size, "show or raise the ledger's map size"},
    {"serve", cmd_serve, "run the node: accept and dial partners, replicate, push live"},
    {"peer", cmd_peer, "manage partners (peer add / list / remove)"},
    {"sync", cmd_sync, "replicate with one partner now, both ways, then exit"},
    {"status", cmd_status, "logs, partners and forks this node knows"},
    {"health", cmd_health, "check the node for monitoring (exit 0 OK, 1 warning, 2 critical)"},
    {"key", cmd_key, "rotate or retire this log's signing key"},
    {"clock", cmd_clock, "this clock against the partners'; correct the log's clock"},
    {"demo", cmd_demo, "walk through the ledger in a temporary directory"},
    {"bench", cmd_bench, "measure throughput against raw libsodium rates"},
    {"version", cmd_version, "print credport's version (also credport --version)"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: credport [-d DIR] COMMAND [options]\n\n"
          "  -d, --data DIR   node data folder (default $CREDPORT_DATA, else ./credport-data)\n"
          "  -h, --help       this help; COMMAND --help for a command's options\n"
          "  -V, --version    print credport's version\n\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
}

/* Edit distance between a and b (at most 32 characters each; longer: far). */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[33];
  if (la > 32 || lb > 32) return 99;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      diag = up;
      row[j] = best;
    }
  }
  return row[lb];
}

const char *cli_closest(const char *word, const char *const *names, size_t n) {
  const char *best = NULL;
  size_t bd = 3; /* at most two edits away */
  for (size_t i = 0; i < n; i++) {
    size_t d = distance(word, names[i]);
    if (strncmp(word, names[i], strlen(word)) == 0 && strlen(word) >= 3) d = 1; /* a prefix */
    if (d < bd) bd = d, best = names[i];
  }
  return best;
}

int main(int argc, char **argv) {
  cli c = {NULL, NULL, 0, 0, 0, 0, NULL};
  /* -d/--data DIR may come before or after the command (credport status
   * -d nc): it is taken out of argv wherever it is, up to a "--". */
  int n = 1, cmd_at = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      while (i < argc) argv[n++] = argv[i++];
      break;
    }
    if (strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "--data") == 0) {
      if (i + 1 >= argc) return cli_usage(&c, "%s needs a folder", argv[i]);
      c.data = argv[++i];
      c.data_set = 1;
      continue;
    }
    if (strncmp(argv[i], "--data=", 7) == 0) {
      c.data = argv[i] + 7;
      c.data_set = 1;
      continue;
    }
    if (cmd_at == 0 && argv[i][0] != '-') cmd_at = n;
    argv[n++] = argv[i];
  }
  argc = n;
  argv[argc] = NULL;
  for (int i = 1; i < (cmd_at ? cmd_at : argc); i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
      c.cmd = "version";
      return cmd_version(&c, 1, argv + i);
    }
    return cli_usage(&c, "unknown option \"%s\" (see credport --help)", argv[i]);
  }
  if (cmd_at == 0) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (c.data == NULL) c.data = getenv("CREDPORT_DATA");
  if (c.data == NULL || *c.data == 0) c.data = "./credport-data";
  if (cp_crypto_init() != 0) return cli_fail(&c, "cannot initialise libsodium");
  /* `present --format vp-jwt` is the W3C presentation (cmd_present_vp.c);
   * any other `present` goes through the table. */
  if (strcmp(argv[cmd_at], "present") == 0) {
    for (int a = cmd_at + 1; a < argc && strcmp(argv[a], "--") != 0; a++) {
      if (strcmp(argv[a], "--format=vp-jwt") == 0 ||
          (strcmp(argv[a], "--format") == 0 && a + 1 < argc &&
           strcmp(argv[a + 1], "vp-jwt") == 0)) {
        c.cmd = "present";
        return cmd_present_vp(&c, argc - cmd_at, argv + cmd_at);
      }
    }
  }
  const char *names[sizeof commands / sizeof commands[0]];
  for (size_t j = 0; j < sizeof commands / sizeof commands[0]; j++) {
    names[j] = commands[j].name;
    if (strcmp(argv[cmd_at], commands[j].name) == 0) {
      c.cmd = commands[j].name;
      return commands[j].fn(&c, argc - cmd_at, argv + cmd_at);
    }
  }
  const char *near = cli_closest(argv[cmd_at], names, sizeof names / sizeof names[0]);
  if (near != NULL)
    return cli_usage(&c, "unknown command \"%s\"; did you mean \"%s\"? (see credport --help)",
                     argv[cmd_at], near);
  return cli_usage(&c, "unknown command \"%s\" (see credport --help)", argv[cmd_at]);
}

int cli_bad_option(const cli *c, char **av, const struct option *opts, const char *help) {
  const char *tok = optind > 0 ? av[optind - 1] : "";
  char name[64];
  if (strncmp(tok, "--", 2) == 0) {
    size_t k = strcspn(tok + 2, "=");
    snprintf(name, sizeof name, "%.*s", (int)(k < sizeof name - 1 ? k : sizeof name - 1), tok + 2);
    const char *names[64];
    size_t nn = 0;
    for (const struct option *o = opts; o->name != NULL && nn < 64; o++) {
      if (strcmp(o->name, name) == 0 && o->has_arg == required_argument)
        return cli_usage(c, "option --%s needs a value\n%s", name, help);
      names[nn++] = o->name;
    }
    const char *near = cli_closest(name, names, nn);
    if (near != NULL)
      return cli_usage(c, "unknown option \"--%s\"; did you mean \"--%s\"?\n%s", name, near,
                       help);
    return cli_usage(c, "unknown option \"--%s\"\n%s", name, help);
  }
  if (optopt != 0 && optopt != '?')
    return cli_usage(c, "unknown option \"-%c\"\n%s", optopt, help);
  return cli_usage(c, "unknown option \"%s\"\n%s", tok, help);
}

/* ---- shared helpers ------------------------------------------------------- */

/* "credport CMD: " once a command is known, else "credport: ". */
static void prefix(const cli *c) {
  if (c->cmd != NULL) fprintf(stderr, "credport %s: ", c->cmd);
  else fputs("credport: ", stderr);
}

int cli_fail(const cli *c, const char *fmt, ...) {
  va_list ap;
  prefix(c);
  fputs("error: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_FAIL;
}

int cli_usage(const cli *c, const char *fmt, ...) {
  va_list ap;
  prefix(c);
  fputs("usage error: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_USAGE;
}

void cli_getopt_reset(void) { optind = 0; opterr = 0; }

int cli_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) return 0;
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
  }
  return 0;
}

void cli_path(const cli *c, const char *name, char *out, size_t cap) {
  snprintf(out, cap, "%s/%s", c->data, name);
}

int cli_open_store(cli *c, unsigned flags, cp_store **s) {
  char path[PATH_MAX];
  cp_diag d = {{0}};
  struct stat st;
  if (stat(c->data, &st) != 0)
    return cli_fail(c, "no node data at %s (run credport init, or give -d DIR)", c->data);
  cli_path(c, "ledger", path, sizeof path);
  if ((flags & CP_STORE_RDONLY) && stat(path, &st) != 0)
    return cli_fail(c, "no ledger at %s (run credport init)", path);
  int rc = cp_store_open(path, flags, s, &d);
  if (rc != 0) return cli_fail(c, "cannot open the ledger: %s", d.msg[0] ? d.msg : cp_strerror(rc));
  return CLI_OK;
}

int cli_open_authority(cli *c, cp_store **s, cp_key **k) {
  int st = cli_open_store(c, 0, s);
  if (st == CLI_OK && (st = cli_key_in_force(c, *s, k)) != CLI_OK) {
    cp_store_close(*s);
    *s = NULL;
  }
  return st;
}

int cli_append_one(cli *c, cp_entry *e, const char *what, uint8_t id[CP_HASH_BYTES]) {
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_appender *a = NULL;
  cp_diag d = {{0}};
  int st = cli_open_authority(c, &s, &k);
  if (st != CLI_OK) return st;
  int rc = cp_appender_begin(s, k, cli_now(), &a, &d);
  if (rc == 0) {
    cp_appender_guard(a, c->guards);
    rc = cp_appender_add(a, e, id, &d);
  }
  if (rc == 0 && c->dry_run) {
    cli_dry dr = {NULL, 0};
    size_t len;
    const uint8_t *buf = cp_appender_last(a, &len);
    if ((rc = cp_appender_rollback(a, &d)) == 0) {
      cli_dry_add(c, &dr, buf, len, 0, c->note);
      cli_dry_end(c, &dr, what, what);
    }
  } else if (rc == 0) {
    rc = cp_appender_commit(a, &d);
    a = NULL;
  }
  cli_human_msg(d.msg, sizeof d.msg);
  if (rc != 0)
    st = cli_fail(c, "%s refused, nothing written: %s%s", what, d.msg[0] ? d.msg : cp_strerror(rc),
                  rc == CP_EDUPLICATE ? " (--allow-duplicates awards it anyway)" : "");
  cp_appender_abort(a);
  cp_key_free(k);
  cp_store_close(s);
  return st;
}

/* Whether p starts with word followed by a decimal number; *end after it. */
static int word_number(const char *p, const char *word, unsigned long long *v, const char **end) {
  size_t n = strlen(word);
  char *e;
  if (strncmp(p, word, n) != 0 || p[n] < '0' || p[n] > '9') return 0;
  *v = strtoull(p + n, &e, 10);
  *end = e;
  return 1;
}

void cli_human_msg(char *msg, size_t cap) {
  char out[1024];
  size_t o = 0;
  const char *p = msg, *end;
  unsigned long long v;
  while (*p != 0 && o + 1 < sizeof out) {
    if (word_number(p, " at byte ", &v, &end) && (*end == ':' || *end == 0)) {
      p = end; /* where in the encoded entry: not the user's business */
    } else if (word_number(p, " at byte ", &v, &end) && *end == ' ') {
      o += (size_t)snprintf(out + o, sizeof out - o, " at position %llu", v + 1);
      p = end; /* where in the text the user gave */
    } else if (word_number(p, "(string byte ", &v, &end) && *end == ')') {
      o += (size_t)snprintf(out + o, sizeof out - o, "(at position %llu)", v + 1);
      p = end + 1;
    } else {
      out[o++] = *p++;
    }
  }
  out[o < sizeof out ? o : sizeof out - 1] = 0;
  snprintf(msg, cap, "%s", out);
}

const char *cli_count(uint64_t n, const char *one, const char *many, char *out, size_t cap) {
  snprintf(out, cap, "%llu %s", (unsigned long long)n, n == 1 ? one : many);
  return out;
}

void cli_dry_add(const cli *c, cli_dry *dr, const uint8_t *buf, size_t len, uint64_t line,
                 const char *note) {
  dr->n++;
  if (c->json) {
    if (dr->entries == NULL) dr->entries = json_array();
    json_t *o = cli_entry_json(buf, len);
    if (o == NULL) return;
    if (line != 0) json_object_set_new(o, "line", json_integer((json_int_t)line));
    if (note != NULL) json_object_set_new(o, "note", json_string(note));
    json_array_append_new(dr->entries, o);
    return;
  }
  if (line != 0) printf("line %llu: ", (unsigned long long)line);
  cli_entry_line(stdout, buf, len, NULL);
  if (note != NULL) printf("  note: %s\n", note);
}

void cli_dry_end(const cli *c, cli_dry *dr, const char *one, const char *many) {
  char n[160];
  cli_count(dr->n, one, many, n, sizeof n);
  if (c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "dry_run", json_true());
    json_object_set_new(o, "count", json_integer((json_int_t)dr->n));
    json_object_set_new(o, "entries", dr->entries != NULL ? dr->entries : json_array());
    dr->entries = NULL;
    cli_print_json(o);
  } else {
    printf("dry run: %s would be signed; nothing was written\n", n);
  }
  json_decref(dr->entries);
  dr->entries = NULL;
}

int cli_load_authority_key(cli *c, cp_key **k) {
  char path[PATH_MAX];
  cp_diag d = {{0}};
  cli_path(c, "authority.key", path, sizeof path);
  int rc = cp_key_load(path, k, &d);
  if (rc != 0)
    return cli_fail(c, "cannot use the authority key %s: %s", path,
                    d.msg[0] ? d.msg : cp_strerror(rc));
  return CLI_OK;
}

/* CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320, initial value and
 * final XOR 0xFFFFFFFF) of p[0, n). */
static uint32_t crc32_ieee(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int b = 0; b < 8; b++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

void cli_format_pubkey_checked(const uint8_t pk[CP_PK_BYTES], char out[CLI_PUBKEY_CHECKED_LEN + 1]) {
  char hex[2 * CP_PK_BYTES + 1];
  cp_hex_encode(pk, CP_PK_BYTES, hex);
  snprintf(out, CLI_PUBKEY_CHECKED_LEN + 1, "ek1-%s-%08x", hex, (unsigned)crc32_ieee(pk, CP_PK_BYTES));
}

/* ek1-<64 hex>-<8 hex>: the key, then the CRC-32 of its 32 bytes. */
static int parse_checked(const char *s, uint8_t pk[CP_PK_BYTES]) {
  uint8_t crc[4];
  if (strlen(s) != CLI_PUBKEY_CHECKED_LEN || s[68] != '-') return CP_EINVAL;
  if (cp_hex_decode(s + 4, 2 * CP_PK_BYTES, pk, CP_PK_BYTES) != 0 ||
      cp_hex_decode(s + 69, 8, crc, 4) != 0)
    return CP_EINVAL;
  uint32_t want = (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 | (uint32_t)crc[2] << 8 | crc[3];
  return crc32_ieee(pk, CP_PK_BYTES) == want ? CP_OK : CP_EINVAL;
}

int cli_parse_pubkey(const char *s, uint8_t pk[CP_PK_BYTES]) {
  if (strncmp(s, "did:key:", 8) == 0) return cp_didkey_decode(s, pk);
  if (strncmp(s, "ek1-", 4) == 0) return parse_checked(s, pk);
  if (strlen(s) != 2 * CP_PK_BYTES) return CP_EINVAL;
  return cp_hex_decode(s, strlen(s), pk, CP_PK_BYTES);
}

int cli_parse_hash(const char *s, uint8_t h[CP_HASH_BYTES]) {
  if (strlen(s) != 2 * CP_HASH_BYTES) return CP_EINVAL;
  return cp_hex_decode(s, strlen(s), h, CP_HASH_BYTES);
}

int cli_parse_u64(const char *s, uint64_t *v) {
  uint64_t x = 0;
  if (*s == 0 || (s[0] == '0' && s[1] != 0)) return CP_EINVAL;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return CP_EINVAL;
    if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return CP_EOVERFLOW;
    x = x * 10 + (uint64_t)(*s - '0');
  }
  *v = x;
  return CP_OK;
}

int cli_parse_hours(const char *s, uint32_t *x100) {
  uint64_t whole = 0, frac = 0;
  int fd = 0, wd = 0;
  const char *p = s;
  for (; *p >= '0' && *p <= '9'; p++, wd++) {
    whole = whole * 10 + (uint64_t)(*p - '0');
    if (whole > 100000) return CP_EINVAL;
  }
  if (wd == 0) return CP_EINVAL;
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++, fd++) {
      if (fd == 2) return CP_EINVAL;
      frac = frac * 10 + (uint64_t)(*p - '0');
    }
    if (fd == 0) return CP_EINVAL;
    if (fd == 1) frac *= 10;
  }
  if (*p != 0) return CP_EINVAL;
  if (whole * 100 + frac > 100000u * 100) return CP_EINVAL; /* 100000.01 and up */
  *x100 = (uint32_t)(whole * 100 + frac);
  return CP_OK;
}

int cli_sha256_file(const char *path, uint8_t out[CP_HASH_BYTES], cp_diag *d) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return cp_diag_set(d, -errno, "cannot open %s: %s", path, strerror(errno));
  cp_sha256 h;
  uint8_t buf[65536];
  ssize_t n;
  cp_sha256_init(&h);
  while ((n = read(fd, buf, sizeof buf)) > 0) cp_sha256_update(&h, buf, (size_t)n);
  int err = errno;
  close(fd);
  if (n < 0) return cp_diag_set(d, -err, "cannot read %s: %s", path, strerror(err));
  cp_sha256_final(&h, out);
  return CP_OK;
}

uint64_t cli_now(void) {
  const char *fake = getenv("CREDPORT_NOW"); /* reproducible demos and tests */
  uint64_t v;
  if (fake != NULL && cli_parse_u64(fake, &v) == 0) return v;
  return (uint64_t)time(NULL);
}

void cli_print_json(json_t *v) {
  /* Nine significant digits: 0.1 s prints as 0.1, not 0.10000000000000001. */
  char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
                              JSON_REAL_PRECISION(9));
  if (s != NULL) {
    fputs(s, stdout);
    fputc('\n', stdout);
    free(s);
  }
  json_decref(v);
}

json_t *cli_hex_json(const uint8_t *p, size_t n) {
  char hex[2 * 64 + 1];
  if (n > 64) return json_null();
  cp_hex_encode(p, n, hex);
  return json_string(hex);
}

json_t *cli_peer_json(const cp_peer_info *p, int with_connected) {
  json_t *o = json_object();
  json_object_set_new(o, "key", cli_hex_json(p->key, CP_PK_BYTES));
  json_object_set_new(o, "addr", json_string(p->addr));
  if (with_connected) json_object_set_new(o, "connected", json_false());
  cli_set_time(o, "last_sync", p->last_sync);
  json_object_set_new(o, "bytes_in", json_integer((json_int_t)p->bytes_in));
  json_object_set_new(o, "bytes_out", json_integer((json_int_t)p->bytes_out));
  json_object_set_new(o, "entries_in", json_integer((json_int_t)p->entries_in));
  json_object_set_new(o, "entries_out", json_integer((json_int_t)p->entries_out));
  json_object_set_new(o, "last_error", json_string(p->last_error));
  if (p->clock.peer_ms != 0) {
    json_object_set_new(o, "clock_offset_ms",
                        json_integer((json_int_t)(int64_t)(p->clock.peer_ms - p->clock.local_ms)));
    cli_set_time(o, "clock_observed", p->clock.local_ms / 1000u);
  }
  return o;
}
