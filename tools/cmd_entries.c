/* credport CLI — define, award, revoke, endorse, approve. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/codec.h"

/* Shared by the commands below: append e, print its ID. */
static int append_entry(cli *c, cp_entry *e, const char *what) {
  uint8_t id[CP_HASH_BYTES];
  int st = cli_append_one(c, e, what, id);
  if (st != CLI_OK || c->dry_run) return st;
  if (c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "id", cli_hex_json(id, CP_HASH_BYTES));
    json_object_set_new(o, "seq", json_integer((json_int_t)e->seq));
    cli_print_json(o);
  } else {
    char hex[2 * CP_HASH_BYTES + 1];
    cp_hex_encode(id, CP_HASH_BYTES, hex);
    printf("%s\n", hex);
  }
  return CLI_OK;
}

static cp_str S(const char *s) { return (cp_str){s, s != NULL ? strlen(s) : 0}; }

#define OPTLOOP(help)                                                                   \
  cli_getopt_reset();                                                                   \
  for (int o_; (o_ = getopt_long(argc, argv, "h", opts, NULL)) != -1;)                   \
    switch (o_) {                                                                       \
    case 'h': fputs(help, stdout); return CLI_OK;                                       \
    case 'J': c->json = 1; break;                                                       \
    case 'N': c->dry_run = 1; break;                                                    \
    case '?': return cli_bad_option(c, argv, opts, help);

#define OPTEND(help) }

/* Every command here writes an entry: --dry-run shows it instead. */
#define DRY_RUN_OPT {"dry-run", 0, 0, 'N'}
#define DRY_RUN_HELP "  --dry-run signs and checks the entry, shows it, and writes nothing.\n"

/* ---- credential define ----------------------------------------------------- */

static const char define_help[] =
    "usage: credport credential define --id ID --title TITLE --competency TEXT --level 1..4\n"
    "                                  --hours H [--evidence TEXT] [--area A ...] [--qa STD ...]\n"
    "  Appends a credential definition. ID is stable ([A-Za-z0-9._:-], unique in this log);\n"
    "  H is contact hours (up to two decimals); areas are licensure areas; --qa names a\n"
    "  quality-assurance standard the definition claims. Prints the entry ID.\n"
    DRY_RUN_HELP;

static int cmd_credential_retire(cli *c, int argc, char **argv);

int cmd_credential(cli *c, int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "retire") == 0)
    return cmd_credential_retire(c, argc - 1, argv + 1);
  if (argc < 2 || (strcmp(argv[1], "define") != 0)) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
      fputs(define_help, stdout);
      return CLI_OK;
    }
    return cli_usage(c, "expected \"credential define\" or \"credential retire\"\n%s",
                     define_help);
  }
  argc--;
  argv++;
  static const struct option opts[] = {
      {"id", 1, 0, 'i'},    {"title", 1, 0, 't'}, {"competency", 1, 0, 'c'},
      {"level", 1, 0, 'l'}, {"hours", 1, 0, 'H'}, {"evidence", 1, 0, 'e'},
      {"area", 1, 0, 'a'},  {"qa", 1, 0, 'q'},    {"json", 0, 0, 'J'},
      DRY_RUN_OPT, {"help", 0, 0, 'h'},  {0, 0, 0, 0}};
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_CREDENTIAL;
  const char *level = NULL, *hours = NULL;
  OPTLOOP(define_help)
  case 'i': e.u.credential.id = S(optarg); break;
  case 't': e.u.credential.title = S(optarg); break;
  case 'c': e.u.credential.competency = S(optarg); break;
  case 'e': e.u.credential.evidence = S(optarg); break;
  case 'l': level = optarg; break;
  case 'H': hours = optarg; break;
  case 'a':
    if (e.u.credential.n_areas == CP_LIST_MAX)
      return cli_usage(c, "--area: at most %u areas", CP_LIST_MAX);
    e.u.credential.areas[e.u.credential.n_areas++] = S(optarg);
    break;
  case 'q':
    if (e.u.credential.n_qa == CP_LIST_MAX)
      return cli_usage(c, "--qa: at most %u standards", CP_LIST_MAX);
    e.u.credential.qa[e.u.credential.n_qa++] = S(optarg);
    break;
  OPTEND(define_help)
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (e.u.credential.id.p == NULL || e.u.credential.title.p == NULL ||
      e.u.credential.competency.p == NULL || level == NULL || hours == NULL)
    return cli_usage(c, "--id, --title, --competency, --level and --hours are required\n%s",
                     define_help);
  if (strlen(level) != 1 || level[0] < '1' || level[0] > '4')
    return cli_usage(c, "--level: \"%s\" is not 1, 2, 3 or 4", level);
  e.u.credential.level = (uint8_t)(level[0] - '0');
  if (cli_parse_hours(hours, &e.u.credential.hours_x100) != 0)
    return cli_usage(c, "--hours: \"%s\" is not a number of hours like 30 or 2.5 (0..100000)",
                     hours);
  if (e.u.credential.evidence.p == NULL) e.u.credential.evidence = S("");
  return append_entry(c, &e, "credential definition");
}

/* ---- award ---------------------------------------------------------------- */

/* Finds the credential whose stable id is id in this node's own log: its
 * entry ID into eid and, when def_time is not NULL, the time it was defined.
 * CLI_OK, or the status of the failure reported (opt, such as
 * "--credential: ", leads the message of an unknown id). */
static int credential_by_id(cli *c, const char *id, const char *opt, uint8_t eid[CP_HASH_BYTES],
                            uint64_t *def_time) {
  cp_store *s = NULL;
  cp_reader *r = NULL;
  uint8_t self[CP_PK_BYTES];
  const uint8_t *buf;
  size_t len;
  cp_entry def;
  int st = cli_open_store(c, CP_STORE_RDONLY, &s);
  if (st != CLI_OK) return st;
  int rc = cp_reader_begin(s, &r);
  if (rc == 0) rc = cp_reader_self(r, self);
  if (rc == 0) rc = cp_reader_credential(r, self, id, &buf, &len);
  if (rc == 0) cp_entry_id(buf, len, eid);
  if (rc == 0 && def_time != NULL && (rc = cp_entry_decode(buf, len, &def, NULL)) == 0)
    *def_time = def.time;
  cp_reader_end(r);
  cp_store_close(s);
  if (rc == CP_ENOTFOUND)
    return cli_fail(c, "%sno credential \"%s\" is defined in this log", opt, id);
  if (rc != 0) return cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  return CLI_OK;
}

static const char award_help[] =
    "usage: credport award --credential ID --educator PUBKEY --earned YYYY-MM-DD\n"
    "                      [--assessor NAME] [--evidence FILE | --evidence-sha256 HEX]\n"
    "                      [--licence-commitment HEX] [--allow-duplicates] [--dry-run]\n"
    "       credport award --csv FILE [--columns KNOWN=NAME,...]\n"
    "                      [--new-educators warn|refuse] [--allow-duplicates] [--dry-run]\n"
    "  Awards credential ID (defined in this log) to the educator's public key (64 hex\n"
    "  digits, did:key, or the checksummed form `educator keygen` prints). Evidence stays\n"
    "  off the ledger: only its SHA-256 is recorded. An earned date after today is refused;\n"
    "  so is an award repeating the credential, educator and earned date of one in this\n"
    "  log (or earlier in the file) that is not revoked, unless --allow-duplicates.\n"
    "  With --csv, every row of FILE is awarded in one transaction, or none is. The header\n"
    "  names the columns, in any order: credential, educator, earned (required),\n"
    "  assessor, evidence_sha256; --columns credential=MC_ID,educator=PUBKEY,... reads\n"
    "  other names. A UTF-8 byte order mark, CRLF, quoted fields and blank lines are\n"
    "  accepted; errors name the file's physical line. --new-educators warns about (or\n"
    "  refuses) educators no entry on this node names yet.\n"
    "  --dry-run signs and checks every entry, shows each (and awards earned before\n"
    "  their credential was defined), and writes nothing.\n";

int cmd_award(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"credential", 1, 0, 'c'}, {"educator", 1, 0, 'e'}, {"earned", 1, 0, 'd'},
      {"assessor", 1, 0, 'a'},   {"evidence", 1, 0, 'f'}, {"evidence-sha256", 1, 0, 's'},
      {"licence-commitment", 1, 0, 'L'}, {"csv", 1, 0, 'C'}, {"json", 0, 0, 'J'},
      {"columns", 1, 0, 'M'}, {"new-educators", 1, 0, 'W'}, {"allow-duplicates", 0, 0, 'D'},
      DRY_RUN_OPT, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *cred = NULL, *edu = NULL, *earned = NULL, *assessor = "", *evfile = NULL,
             *evhex = NULL, *lic = NULL, *csv = NULL, *columns = NULL, *newedu = NULL;
  int allow_dups = 0;
  OPTLOOP(award_help)
  case 'c': cred = optarg; break;
  case 'e': edu = optarg; break;
  case 'd': earned = optarg; break;
  case 'a': assessor = optarg; break;
  case 'f': evfile = optarg; break;
  case 's': evhex = optarg; break;
  case 'L': lic = optarg; break;
  case 'C': csv = optarg; break;
  case 'M': columns = optarg; break;
  case 'W': newedu = optarg; break;
  case 'D': allow_dups = 1; break;
  OPTEND(award_help)
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  c->guards = CP_GUARD_FUTURE | (allow_dups ? 0u : CP_GUARD_DUPLICATES);
  if (csv != NULL) {
    if (cred || edu || earned || evfile || evhex || lic)
      return cli_usage(c, "--csv cannot be combined with single-award options");
    int ne = 0;
    if (newedu != NULL && strcmp(newedu, "warn") == 0) ne = 'w';
    else if (newedu != NULL && strcmp(newedu, "refuse") == 0) ne = 'r';
    else if (newedu != NULL)
      return cli_usage(c, "--new-educators: \"%s\" is not warn or refuse", newedu);
    cp_store *s = NULL;
    cp_key *k = NULL;
    uint64_t n = 0;
    int st = cli_open_authority(c, &s, &k);
    if (st == CLI_OK) st = cli_award_csv(c, s, k, csv, columns, ne, cli_now(), &n);
    cp_key_free(k);
    cp_store_close(s);
    if (st == CLI_OK && !c->dry_run) {
      if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "awarded", json_integer((json_int_t)n));
        cli_print_json(o);
      } else {
        char what[64];
        printf("awarded %s from %s\n", cli_count(n, "credential", "credentials", what, sizeof what),
               csv);
      }
    }
    return st;
  }
  if (columns != NULL || newedu != NULL)
    return cli_usage(c, "--columns and --new-educators go with --csv");
  if (cred == NULL || edu == NULL || earned == NULL)
    return cli_usage(c, "--credential, --educator and --earned are required\n%s", award_help);
  if (evfile != NULL && evhex != NULL)
    return cli_usage(c, "give --evidence or --evidence-sha256, not both");
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_AWARD;
  if (cli_parse_pubkey(edu, e.u.award.educator) != 0)
    return cli_usage(c, "--educator: \"%s\" is not an educator key (" CLI_PUBKEY_FORMS ")", edu);
  if (cp_date_parse(earned, &e.u.award.earned) != 0)
    return cli_usage(c, "--earned: \"%s\" is not a date YYYY-MM-DD", earned);
  e.u.award.assessor = S(assessor);
  if (evhex != NULL && cli_parse_hash(evhex, e.u.award.evidence) != 0)
    return cli_usage(c, "--evidence-sha256: \"%s\" is not 64 hex digits", evhex);
  if (evfile != NULL) {
    cp_diag d = {{0}};
    if (cli_sha256_file(evfile, e.u.award.evidence, &d) != 0)
      return cli_fail(c, "--evidence: %s", d.msg);
  }
  if (evhex != NULL || evfile != NULL) e.u.award.flags |= CP_AWARD_HAS_EVIDENCE;
  if (lic != NULL) {
    if (cli_parse_hash(lic, e.u.award.licence) != 0)
      return cli_usage(c, "--licence-commitment: \"%s\" is not 64 hex digits", lic);
    e.u.award.flags |= CP_AWARD_HAS_LICENCE;
  }
  uint64_t def_time;
  int st = credential_by_id(c, cred, "--credential: ", e.u.award.credential, &def_time);
  if (st != CLI_OK) return st;
  char note[CP_ID_MAX + 96];
  if (e.u.award.earned < def_time / 86400u) {
    char d1[11], d2[11];
    cp_date_format(e.u.award.earned, d1);
    cp_date_format((uint32_t)(def_time / 86400u), d2);
    snprintf(note, sizeof note, "earned %s, before credential %s was defined (%s)", d1, cred, d2);
    c->note = note;
  }
  return append_entry(c, &e, "award");
}

/* ---- revoke, credential retire -------------------------------------------- */

static const char revoke_help[] =
    "usage: credport revoke ENTRY_ID --reason TEXT [--effective YYYY-MM-DD] [--dry-run]\n"
    "       credport revoke --csv FILE [--columns KNOWN=NAME,...] [--dry-run]\n"
    "  Withdraws an entry of this log that grants something: an award, an endorsement,\n"
    "  a pre-approval, a credential definition (a retirement: no new awards of it) or a\n"
    "  licensure attestation. It stops counting from the effective date (default today),\n"
    "  which must lie within the period the entry covers. Each entry is revoked once.\n"
    "  With --csv, every row of FILE (columns entry,reason: an entry ID and the reason;\n"
    "  effective today) is revoked in one transaction, or none is; errors name the file's\n"
    "  physical line and column, as award --csv does.\n"
    DRY_RUN_HELP;

/* The day of the CLI's clock. */
static uint32_t today(void) { return (uint32_t)(cli_now() / 86400u); }

int cli_revoke_fill(cp_entry *e, const uint8_t target[CP_HASH_BYTES], cp_str reason) {
  memset(e, 0, sizeof *e);
  e->version = CP_ENTRY_VERSION_2;
  e->type = CP_T_REVOKE;
  memcpy(e->u.revoke.target, target, CP_HASH_BYTES);
  e->u.revoke.reason = reason;
  e->u.revoke.effective = today();
  return CP_OK;
}

/* Appends a version 2 revoke of target; eff NULL means today. */
static int append_revoke(cli *c, const uint8_t target[CP_HASH_BYTES], const char *reason,
                         const char *eff, const char *what) {
  cp_entry e;
  cli_revoke_fill(&e, target, S(reason));
  if (eff != NULL && cp_date_parse(eff, &e.u.revoke.effective) != 0)
    return cli_usage(c, "--effective: \"%s\" is not a date YYYY-MM-DD", eff);
  return append_entry(c, &e, what);
}

int cmd_revoke(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"reason", 1, 0, 'r'}, {"effective", 1, 0, 'E'}, {"csv", 1, 0, 'C'}, {"columns", 1, 0, 'M'},
      {"json", 0, 0, 'J'},   DRY_RUN_OPT,              {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *reason = NULL, *eff = NULL, *csv = NULL, *columns = NULL;
  uint8_t target[CP_HASH_BYTES];
  OPTLOOP(revoke_help)
  case 'r': reason = optarg; break;
  case 'E': eff = optarg; break;
  case 'C': csv = optarg; break;
  case 'M': columns = optarg; break;
  OPTEND(revoke_help)
  if (csv != NULL) {
    if (optind < argc || reason != NULL || eff != NULL)
      return cli_usage(c, "--csv takes the IDs and reasons from the file\n%s", revoke_help);
    cp_store *s = NULL;
    cp_key *k = NULL;
    uint64_t n = 0;
    int st = cli_open_authority(c, &s, &k);
    if (st == CLI_OK) st = cli_revoke_csv(c, s, k, csv, columns, cli_now(), &n);
    cp_key_free(k);
    cp_store_close(s);
    if (st == CLI_OK && !c->dry_run) {
      if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "revoked", json_integer((json_int_t)n));
        cli_print_json(o);
      } else {
        char what[64];
        printf("revoked %s from %s\n", cli_count(n, "entry", "entries", what, sizeof what), csv);
      }
    }
    return st;
  }
  if (columns != NULL) return cli_usage(c, "--columns goes with --csv");
  if (optind + 1 != argc || reason == NULL)
    return cli_usage(c, "one ENTRY_ID and --reason are required\n%s", revoke_help);
  if (cli_parse_hash(argv[optind], target) != 0)
    return cli_usage(c, "ENTRY_ID: \"%s\" is not 64 hex digits", argv[optind]);
  return append_revoke(c, target, reason, eff, "revocation");
}

static const char retire_help[] =
    "usage: credport credential retire ID --reason TEXT [--effective YYYY-MM-DD]\n"
    "  Retires credential ID of this log (its stable id or entry ID): from the effective\n"
    "  date (default today) no new award of it is accepted; existing awards stand.\n";

static int cmd_credential_retire(cli *c, int argc, char **argv) {
  static const struct option opts[] = {{"reason", 1, 0, 'r'}, {"effective", 1, 0, 'E'},
                                       {"json", 0, 0, 'J'},   DRY_RUN_OPT,
                                       {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
  const char *reason = NULL, *eff = NULL;
  uint8_t target[CP_HASH_BYTES];
  OPTLOOP(retire_help)
  case 'r': reason = optarg; break;
  case 'E': eff = optarg; break;
  OPTEND(retire_help)
  if (optind + 1 != argc || reason == NULL)
    return cli_usage(c, "one credential ID and --reason are required\n%s", retire_help);
  const char *id = argv[optind];
  if (cli_parse_hash(id, target) != 0) {
    int st = credential_by_id(c, id, "", target, NULL);
    if (st != CLI_OK) return st;
  }
  return append_revoke(c, target, reason, eff, "retirement");
}

/* ---- endorse --------------------------------------------------------------- */

static const char endorse_help[] =
    "usage: credport endorse (--authority PUBKEY | --credential ENTRY_ID) --claim CLAIM\n"
    "                        [--note TEXT] [--from YYYY-MM-DD] [--until YYYY-MM-DD]\n"
    "  Vouches for another authority or for a credential definition (of any log), e.g.\n"
    "  --claim qa:multistate-mc or --claim approved-by. Policies can require it. The\n"
    "  endorsement covers --from (default today) to --until (default: no end), whenever\n"
    "  it is written: a 2016-17 approval can be recorded years later.\n"
    DRY_RUN_HELP;

/* Parses an optional date option into *out (left as is when opt is NULL). */
static int opt_date(cli *c, const char *name, const char *opt, uint32_t *out) {
  if (opt != NULL && cp_date_parse(opt, out) != 0)
    return cli_usage(c, "--%s: \"%s\" is not a date YYYY-MM-DD", name, opt);
  return CLI_OK;
}

int cmd_endorse(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"authority", 1, 0, 'a'}, {"credential", 1, 0, 'c'}, {"claim", 1, 0, 'l'},
      {"note", 1, 0, 'n'}, {"from", 1, 0, 'F'}, {"until", 1, 0, 'U'},
      {"json", 0, 0, 'J'}, DRY_RUN_OPT,        {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
  const char *auth = NULL, *cred = NULL, *from = NULL, *until = NULL;
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.version = CP_ENTRY_VERSION_2;
  e.type = CP_T_ENDORSE;
  e.u.endorse.note = S("");
  OPTLOOP(endorse_help)
  case 'a': auth = optarg; break;
  case 'c': cred = optarg; break;
  case 'l': e.u.endorse.claim = S(optarg); break;
  case 'n': e.u.endorse.note = S(optarg); break;
  case 'F': from = optarg; break;
  case 'U': until = optarg; break;
  OPTEND(endorse_help)
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  e.u.endorse.from = today();
  int st = opt_date(c, "from", from, &e.u.endorse.from);
  if (st == CLI_OK) st = opt_date(c, "until", until, &e.u.endorse.until);
  if (st != CLI_OK) return st;
  if (until != NULL && e.u.endorse.until < e.u.endorse.from)
    return cli_usage(c, "--until %s is before --from", until);
  if ((auth == NULL) == (cred == NULL) || e.u.endorse.claim.p == NULL)
    return cli_usage(c, "one of --authority or --credential, and --claim, are required\n%s",
                     endorse_help);
  if (auth != NULL) {
    e.u.endorse.kind = CP_SUBJECT_AUTHORITY;
    if (cli_parse_pubkey(auth, e.u.endorse.subject) != 0)
      return cli_usage(c, "--authority: \"%s\" is not a public key", auth);
  } else {
    e.u.endorse.kind = CP_SUBJECT_CREDENTIAL;
    if (cli_parse_hash(cred, e.u.endorse.subject) != 0)
      return cli_usage(c, "--credential: \"%s\" is not an entry ID (64 hex digits)", cred);
  }
  return append_entry(c, &e, "endorsement");
}

/* ---- approve --------------------------------------------------------------- */

static const char approve_help[] =
    "usage: credport approve --educator PUBKEY --credential ENTRY_ID --from YYYY-MM-DD\n"
    "                        (--plan FILE | --plan-sha256 HEX) [--until YYYY-MM-DD]\n"
    "  Records pre-approval of an educator's written plan for a credential definition\n"
    "  (any log), covering --from (the day it was approved; also --approved) to --until\n"
    "  (the last day; also --expires; default: no end). Only the plan's SHA-256 goes on\n"
    "  the ledger. The entry's own time shows when it was logged.\n"
    DRY_RUN_HELP;

int cmd_approve(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"educator", 1, 0, 'e'}, {"credential", 1, 0, 'c'}, {"approved", 1, 0, 'a'},
      {"expires", 1, 0, 'x'},  {"plan", 1, 0, 'p'},       {"plan-sha256", 1, 0, 's'},
      {"from", 1, 0, 'a'},     {"until", 1, 0, 'x'},
      {"json", 0, 0, 'J'},     DRY_RUN_OPT,               {"help", 0, 0, 'h'},
      {0, 0, 0, 0}};
  const char *edu = NULL, *cred = NULL, *appr = NULL, *exp = NULL, *plan = NULL, *planhex = NULL;
  OPTLOOP(approve_help)
  case 'e': edu = optarg; break;
  case 'c': cred = optarg; break;
  case 'a': appr = optarg; break;
  case 'x': exp = optarg; break;
  case 'p': plan = optarg; break;
  case 's': planhex = optarg; break;
  OPTEND(approve_help)
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (edu == NULL || cred == NULL || appr == NULL || (plan == NULL) == (planhex == NULL))
    return cli_usage(c, "--educator, --credential, --from and one of --plan or "
                     "--plan-sha256 are required\n%s", approve_help);
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_APPROVE;
  if (cli_parse_pubkey(edu, e.u.approve.educator) != 0)
    return cli_usage(c, "--educator: \"%s\" is not a public key", edu);
  if (cli_parse_hash(cred, e.u.approve.credential) != 0)
    return cli_usage(c, "--credential: \"%s\" is not an entry ID (64 hex digits)", cred);
  if (cp_date_parse(appr, &e.u.approve.approved) != 0)
    return cli_usage(c, "--from: \"%s\" is not a date YYYY-MM-DD", appr);
  if (exp != NULL && cp_date_parse(exp, &e.u.approve.expires) != 0)
    return cli_usage(c, "--until: \"%s\" is not a date YYYY-MM-DD", exp);
  if (exp != NULL && e.u.approve.expires < e.u.approve.approved)
    return cli_usage(c, "--until %s is before --from %s", exp, appr);
  if (planhex != NULL && cli_parse_hash(planhex, e.u.approve.plan) != 0)
    return cli_usage(c, "--plan-sha256: \"%s\" is not 64 hex digits", planhex);
  if (plan != NULL) {
    cp_diag d = {{0}};
    if (cli_sha256_file(plan, e.u.approve.plan, &d) != 0) return cli_fail(c, "--plan: %s", d.msg);
  }
  return append_entry(c, &e, "pre-approval");
}

/* ---- attest-areas ---------------------------------------------------------- */

static const char attest_help[] =
    "usage: credport attest-areas --educator PUBKEY --areas A,B,... --from YYYY-MM-DD\n"
    "                             [--until YYYY-MM-DD]\n"
    "  Attests an educator's licensure areas (up to 16, comma-separated) for a period, as\n"
    "  a licensing authority: policies with area rules read them. Only the educator's\n"
    "  public key goes on the ledger, no other personal data.\n";

int cmd_attest_areas(cli *c, int argc, char **argv) {
  static const struct option opts[] = {
      {"educator", 1, 0, 'e'}, {"areas", 1, 0, 'a'}, {"from", 1, 0, 'F'}, {"until", 1, 0, 'U'},
      {"json", 0, 0, 'J'},     {"help", 0, 0, 'h'},  {0, 0, 0, 0}};
  const char *edu = NULL, *areas = NULL, *from = NULL, *until = NULL;
  OPTLOOP(attest_help)
  case 'e': edu = optarg; break;
  case 'a': areas = optarg; break;
  case 'F': from = optarg; break;
  case 'U': until = optarg; break;
  OPTEND(attest_help)
  if (optind < argc) return cli_usage(c, "unexpected argument \"%s\"", argv[optind]);
  if (edu == NULL || areas == NULL || from == NULL)
    return cli_usage(c, "--educator, --areas and --from are required\n%s", attest_help);
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_LICENSURE;
  if (cli_parse_pubkey(edu, e.u.licensure.educator) != 0)
    return cli_usage(c, "--educator: \"%s\" is not a public key (64 hex digits or did:key)", edu);
  int st = opt_date(c, "from", from, &e.u.licensure.from);
  if (st == CLI_OK) st = opt_date(c, "until", until, &e.u.licensure.until);
  if (st != CLI_OK) return st;
  if (until != NULL && e.u.licensure.until < e.u.licensure.from)
    return cli_usage(c, "--until %s is before --from %s", until, from);
  for (const char *p = areas;;) {
    const char *comma = strchr(p, ',');
    size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
    if (n == 0) return cli_usage(c, "--areas: an empty area in \"%s\"", areas);
    if (e.u.licensure.n_areas == CP_LIST_MAX)
      return cli_usage(c, "--areas: more than %u areas", CP_LIST_MAX);
    e.u.licensure.areas[e.u.licensure.n_areas++] = (cp_str){p, n};
    if (comma == NULL) break;
    p = comma + 1;
  }
  return append_entry(c, &e, "licensure attestation");
}
