/* credport CLI — backup, restore, the own-head guard and the ledger's map size. */
#include <dirent.h>
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

/* 0 if path does not exist or is an empty folder (created, mode 0700, when
 * missing); an error naming path otherwise. */
static int empty_folder(const cli *c, const char *path, int *created) {
  struct stat st;
  *created = 0;
  if (stat(path, &st) != 0) {
    if (errno != ENOENT) return cli_fail(c, "%s: %s", path, strerror(errno));
    if (mkdir(path, 0700) != 0) return cli_fail(c, "cannot create %s: %s", path, strerror(errno));
    *created = 1;
    return CLI_OK;
  }
  if (!S_ISDIR(st.st_mode)) return cli_fail(c, "%s exists and is not a folder", path);
  DIR *dir = opendir(path);
  if (dir == NULL) return cli_fail(c, "cannot read %s: %s", path, strerror(errno));
  struct dirent *de;
  int empty = 1;
  while (empty && (de = readdir(dir)) != NULL)
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) empty = 0;
  closedir(dir);
  if (!empty) return cli_fail(c, "%s is not empty; nothing changed", path);
  return CLI_OK;
}

/* Copies src to the new file dst (mode 0600, never overwriting), fsynced. */
static int copy_file(const char *src, const char *dst, cp_diag *d) {
  char buf[1 << 16];
  int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), out = -1, err = 0;
  if (in < 0) return cp_diag_set(d, -errno, "cannot read %s: %s", src, strerror(errno));
  out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) err = errno;
  for (ssize_t n; err == 0 && (n = read(in, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno != EINTR) err = errno;
      continue;
    }
    for (ssize_t off = 0, w; err == 0 && off < n; off += w > 0 ? w : 0)
      if ((w = write(out, buf + off, (size_t)(n - off))) < 0 && errno != EINTR) err = errno;
  }
  if (err == 0 && fsync(out) != 0) err = errno;
  close(in);
  if (out >= 0) close(out);
  if (err != 0) {
    if (out >= 0) unlink(dst);
    return cp_diag_set(d, err == ENOSPC ? CP_ENOSPC : -err, "cannot copy %s to %s: %s", src, dst,
                       strerror(err));
  }
  return CP_OK;
}

/* Copies a key file by loading it (which checks it) and saving it anew. */
static int copy_key(const char *src, const char *dst, cp_diag *d) {
  cp_key *k = NULL;
  int rc = cp_key_load(src, &k, d);
  if (rc == 0) rc = cp_key_save(k, dst, d);
  cp_key_free(k);
  return rc;
}

/* The signing key of the own log in the snapshot at dir (an LMDB folder),
 * read by opening it; the lock file that opening makes is removed. */
static int snapshot_signer(const char *dir, uint8_t signer[CP_PK_BYTES], cp_diag *d) {
  cp_store *s = NULL;
  cp_reader *r = NULL;
  cp_log_info li;
  uint8_t self[CP_PK_BYTES];
  char lock[PATH_MAX];
  int rc = cp_store_open(dir, CP_STORE_RDONLY, &s, d);
  if (rc == 0) rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_log(r, self, &li);
  if (rc == 0) memcpy(signer, li.signer, CP_PK_BYTES);
  else rc = cp_diag_set(d, rc, "cannot read the snapshot's own log: %s", cp_strerror(rc));
  cp_reader_end(r);
  cp_store_close(s);
  snprintf(lock, sizeof lock, "%s/lock.mdb", dir);
  unlink(lock);
  return rc;
}

static void remove_tree(const char *root, const char *const *files, size_t n) {
  char p[PATH_MAX];
  for (size_t i = 0; i < n; i++) {
    snprintf(p, sizeof p, "%s/%s", root, files[i]);
    unlink(p);
  }
  snprintf(p, sizeof p, "%s/ledger", root);
  rmdir(p);
}

/* ---- backup ------------------------------------------------------------------ */

static const char backup_help[] =
    "usage: credport [-d DIR] backup FOLDER [--with-keys]   (or --out FOLDER)\n"
    "  Writes everything the node needs into FOLDER (new or empty) except its secret keys,\n"
    "  which it names: a consistent, compacted snapshot of the ledger (peer table and\n"
    "  trusted witnesses included) and the own-head record. Safe while serve runs. Keep your\n"
    "  own offline copy of the keys (DIR/authority.key, DIR/witness.key); --with-keys puts\n"
    "  them in FOLDER too, which then holds the node's secret. Restore with credport\n"
    "  restore FOLDER [--key FILE] [--witness-key FILE].\n";

static const char *const backup_files[] = {"ledger/data.mdb", "ledger/own-head",
                                           "ledger/own-head.tmp", "ledger/lock.mdb",
                                           "authority.key", "witness.key"};

int cmd_backup(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"out", 1, 0, 'o'}, {"with-keys", 0, 0, 'k'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *out = NULL;
  int o, with_keys = 0;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'o': out = optarg; break;
    case 'k': with_keys = 1; break;
    case 'h': fputs(backup_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, backup_help);
    }
  }
  if (out == NULL && optind < argc) out = argv[optind++];
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (out == NULL) return cli_usage(c, "a FOLDER to write the backup into is required\n%s", backup_help);
  cp_store *s = NULL;
  cp_diag d = {{0}};
  char ledger[PATH_MAX], key[PATH_MAX], dst[PATH_MAX];
  uint8_t signer[CP_PK_BYTES];
  uint64_t own = 0;
  int created, st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  if ((st = empty_folder(c, out, &created)) != CLI_OK) goto done;
  snprintf(ledger, sizeof ledger, "%s/ledger", out);
  int rc = mkdir(ledger, 0700) == 0 ? 0 : cp_diag_set(&d, -errno, "cannot create %s: %s",
                                                      ledger, strerror(errno));
  if (rc == 0) rc = cp_store_backup(s, ledger, &own, &d);
  /* The key the snapshot's own log is signed with, whichever file holds
   * it now: a key rotation may have committed after the snapshot, or
   * before it without its files switched yet. */
  if (rc == 0 && (rc = snapshot_signer(ledger, signer, &d)) == 0 &&
      cli_key_file_of(c, signer, key, sizeof key) != CLI_OK)
    rc = cp_diag_set(&d, CP_ENOTFOUND, "the snapshot's signing key is in no key file");
  char keyfile[PATH_MAX];
  snprintf(keyfile, sizeof keyfile, "%s", key);
  snprintf(dst, sizeof dst, "%s/authority.key", out);
  if (rc == 0 && with_keys) rc = copy_key(key, dst, &d);
  /* The witness key, when the node has made one: partners trust it. */
  struct stat sb;
  cli_path(c, "witness.key", key, sizeof key);
  int has_witness = stat(key, &sb) == 0;
  snprintf(dst, sizeof dst, "%s/witness.key", out);
  if (rc == 0 && with_keys && has_witness) rc = copy_key(key, dst, &d);
  if (rc != 0) {
    remove_tree(out, backup_files, sizeof backup_files / sizeof backup_files[0]);
    if (created) rmdir(out);
    st = cli_fail(c, "backup failed, nothing kept: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto done;
  }
  if (with_keys)
    printf("backup written to %s: the ledger (%llu entries of the own log), the own-head record "
           "and the secret keys (keep this folder offline)\n", out, (unsigned long long)own);
  else
    printf("backup written to %s: the ledger (%llu entries of the own log) and the own-head "
           "record\nnot in it, the secret keys: %s%s%s (keep your own offline copy; restore "
           "asks for them)\n", out, (unsigned long long)own, keyfile, has_witness ? " and " : "",
           has_witness ? key : "");
done:
  cp_store_close(s);
  return st;
}

/* ---- restore ----------------------------------------------------------------- */

static const char restore_help[] =
    "usage: credport [-d DIR] restore FOLDER [--key FILE] [--witness-key FILE] [--no-partners]\n"
    "                                 (or --from FOLDER)\n"
    "  Restores a backup made by credport backup into DIR, which must be new or empty, with\n"
    "  the secret keys from FOLDER (a backup made --with-keys) or from --key (the log's\n"
    "  signing key, checked against the ledger) and --witness-key. The\n"
    "  restored node refuses to append to its own log until a sync with a partner (credport\n"
    "  sync) has given back any entries committed after the backup. --no-partners states that\n"
    "  no partner ever held this log, and allows appending at once.\n";

int cmd_restore(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"from", 1, 0, 'f'},        {"no-partners", 0, 0, 'n'},
                                       {"key", 1, 0, 'K'},         {"witness-key", 1, 0, 'W'},
                                       {"help", 0, 0, 'h'},        {0, 0, 0, 0}};
  const char *from = NULL, *keyarg = NULL, *wkeyarg = NULL;
  int o, no_partners = 0;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'f': from = optarg; break;
    case 'K': keyarg = optarg; break;
    case 'W': wkeyarg = optarg; break;
    case 'n': no_partners = 1; break;
    case 'h': fputs(restore_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, restore_help);
    }
  }
  if (from == NULL && optind < argc) from = argv[optind++];
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (from == NULL) return cli_usage(c, "the backup FOLDER is required\n%s", restore_help);
  char src[PATH_MAX], dst[PATH_MAX], keysrc[PATH_MAX], wkeysrc[PATH_MAX];
  struct stat sb;
  const char *need[] = {"ledger/data.mdb", "authority.key"};
  snprintf(src, sizeof src, "%s/%s", from, need[0]);
  if (stat(src, &sb) != 0 || !S_ISREG(sb.st_mode))
    return cli_fail(c, "%s is not a credport backup: %s is missing", from, src);
  /* The keys: given, or in the backup (made --with-keys). */
  snprintf(keysrc, sizeof keysrc, "%s/authority.key", from);
  if (keyarg != NULL) snprintf(keysrc, sizeof keysrc, "%s", keyarg);
  else if (stat(keysrc, &sb) != 0)
    return cli_usage(c, "%s holds no authority key (a backup made without --with-keys): give "
                     "--key FILE, your offline copy of the node's authority.key; nothing changed",
                     from);
  snprintf(wkeysrc, sizeof wkeysrc, "%s/witness.key", from);
  if (wkeyarg != NULL) snprintf(wkeysrc, sizeof wkeysrc, "%s", wkeyarg);
  int with_witness = stat(wkeysrc, &sb) == 0;
  int created, st = empty_folder(c, c->data, &created);
  if (st != CLI_OK) return st;
  cp_store *s = NULL;
  cp_key *k = NULL;
  cp_diag d = {{0}};
  cp_store_guard g = {0, 0, 0};
  uint8_t self[CP_PK_BYTES], pk[CP_PK_BYTES];
  cli_path(c, "ledger", dst, sizeof dst);
  int rc = mkdir(dst, 0700) == 0 ? 0 : cp_diag_set(&d, -errno, "cannot create %s: %s", dst,
                                                   strerror(errno));
  for (size_t i = 0; rc == 0 && i < 2; i++) {
    if (i == 0) snprintf(src, sizeof src, "%s/%s", from, need[i]);
    else snprintf(src, sizeof src, "%s", keysrc);
    cli_path(c, need[i], dst, sizeof dst);
    rc = i == 0 ? copy_file(src, dst, &d) : copy_key(src, dst, &d);
  }
  /* The backup's record may know of more own entries than its snapshot
   * holds (committed while it was taken): carried, so that the sync must
   * bring them back. */
  snprintf(src, sizeof src, "%s/ledger/own-head", from);
  cli_path(c, "ledger/own-head", dst, sizeof dst);
  if (rc == 0 && stat(src, &sb) == 0) rc = copy_file(src, dst, &d);
  cli_path(c, "witness.key", dst, sizeof dst);
  if (rc == 0 && with_witness) rc = copy_key(wkeysrc, dst, &d);
  if (rc == 0) {
    cli_path(c, "ledger", dst, sizeof dst);
    rc = cp_store_open(dst, 0, &s, &d);
  }
  cp_log_info li;
  if (rc == 0) {
    cp_reader *r = NULL;
    rc = cp_reader_begin(s, &r);
    if (rc == 0) rc = cp_reader_self(r, self);
    if (rc == 0) rc = cp_reader_log(r, self, &li);
    cp_reader_end(r);
    if (rc != 0) rc = cp_diag_set(&d, rc, "the backup's ledger has no authority of its own");
  }
  cli_path(c, "authority.key", dst, sizeof dst);
  if (rc == 0 && (rc = cp_key_load(dst, &k, &d)) == 0) {
    char want[17];
    cp_key_public(k, pk);
    cp_hex_encode(li.signer, 8, want);
    /* The key the snapshot's own log is signed with now (after rotations
     * too): nothing else can append to it. */
    if (memcmp(pk, li.signer, CP_PK_BYTES) != 0)
      rc = cp_diag_set(&d, CP_EDENIED, "%s is not the signing key of the backup's log (%s…)",
                       keysrc, want);
  }
  if (rc == 0) rc = cp_store_guard_restored(s, &d);
  if (rc == 0 && no_partners) rc = cp_store_guard_confirm(s, 1, NULL, &d);
  if (rc == 0) rc = cp_store_guard_get(s, &g, NULL);
  cp_key_free(k);
  cp_store_close(s);
  if (rc != 0) {
    remove_tree(c->data, backup_files, sizeof backup_files / sizeof backup_files[0]);
    if (created) rmdir(c->data);
    return cli_fail(c, "restore failed, nothing kept: %s", d.msg[0] ? d.msg : cp_strerror(rc));
  }
  printf("restored %s into %s: %llu entries of the own log\n", from, c->data,
         (unsigned long long)g.size);
  if (!with_witness)
    printf("no witness key was restored (give --witness-key FILE): this node makes a new one, "
           "which partners must trust again (credport witness trust)\n");
  if (!no_partners)
    printf("appending is refused until a sync with a partner has returned any entries of the "
           "own log committed after the backup: run credport sync ADDR:PORT [PUBKEY]\n");
  return CLI_OK;
}

/* ---- own-head ------------------------------------------------------------------ */

static const char ownhead_help[] =
    "usage: credport [-d DIR] own-head [--no-partners] [--json]\n"
    "  Shows whether this node may append to its own log: after a restore it must first\n"
    "  sync with a partner. --no-partners states that no partner ever held more of this\n"
    "  log than the ledger does, and allows appending (a fork if the statement is wrong).\n";

int cmd_own_head(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"no-partners", 0, 0, 'n'}, {"json", 0, 0, 'J'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  int o, no_partners = 0;
  cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'n': no_partners = 1; break;
    case 'J': c->json = 1; break;
    case 'h': fputs(ownhead_help, stdout); return CLI_OK;
    default: return cli_bad_option(c, argv, opts, ownhead_help);
    }
  }
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  cp_store *s = NULL;
  cp_diag d = {{0}};
  cp_store_guard g;
  int st = cli_open_store(c, 0, &s);
  if (st != CLI_OK) return st;
  int rc = no_partners ? cp_store_guard_confirm(s, 1, &g, &d) : cp_store_guard_get(s, &g, &d);
  if (rc == 0 && no_partners) g.was_confirmed = 1;
  cp_store_close(s);
  if (rc != 0) return cli_fail(c, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
  if (c->json) {
    json_t *j = json_object();
    json_object_set_new(j, "size", json_integer((json_int_t)g.size));
    json_object_set_new(j, "committed", json_integer((json_int_t)g.committed));
    json_object_set_new(j, "may_append", json_boolean(g.was_confirmed));
    if (!g.was_confirmed) json_object_set_new(j, "why", json_string(d.msg));
    cli_print_json(j);
  } else if (g.was_confirmed) {
    printf("own log: %llu entries; appending is allowed\n", (unsigned long long)g.size);
  } else {
    printf("own log: %llu entries; appending is refused: %s\n", (unsigned long long)g.size,
           d.msg);
  }
  return CLI_OK;
}

/* ---- map-size ----------------------------------------------------------------- */

static const char mapsize_help[] =
    "usage: credport [-d DIR] map-size [SIZE]\n"
    "  Prints the ledger's map size (the most its data file may grow to), or sets it for\n"
    "  every later command. SIZE is bytes, or a number with K, M, G or T (powers of 1024).\n"
    "  Stop serve first, and start it again after: it keeps the size it opened with.\n";

static int parse_size(const char *a, uint64_t *v) {
  char num[32];
  size_t n = strlen(a);
  uint64_t mul = 1;
  if (n == 0 || n >= sizeof num) return CP_EINVAL;
  memcpy(num, a, n + 1);
  switch (num[n - 1]) {
  case 'K': case 'k': mul = 1ull << 10; break;
  case 'M': case 'm': mul = 1ull << 20; break;
  case 'G': case 'g': mul = 1ull << 30; break;
  case 'T': case 't': mul = 1ull << 40; break;
  default: break;
  }
  if (mul != 1) num[n - 1] = 0;
  uint64_t x;
  if (cli_parse_u64(num, &x) != 0 || x == 0 || x > UINT64_MAX / mul) return CP_EINVAL;
  *v = x * mul;
  return CP_OK;
}

int cmd_map_size(cli *c, int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    fputs(mapsize_help, stdout);
    return CLI_OK;
  }
  if (argc > 2) return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[2], mapsize_help);
  uint64_t want = 0;
  if (argc == 2 && parse_size(argv[1], &want) != 0)
    return cli_usage(c, "SIZE: \"%s\" is not a size such as 64G or 1048576", argv[1]);
  cp_store *s = NULL;
  cp_diag d = {{0}};
  int st = cli_open_store(c, argc == 2 ? 0 : CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  int rc = argc == 2 ? cp_store_set_map_size(s, want, &d) : CP_OK;
  uint64_t now = cp_store_map_size(s);
  cp_store_close(s);
  if (rc != 0) return cli_fail(c, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
  printf("ledger map size %llu bytes (%.1f GiB)\n", (unsigned long long)now,
         (double)now / (double)(1ull << 30));
  return CLI_OK;
}
