/*
 * credport — the layout of every entry body, as field tables: one per type
 * and version (docs/FORMATS.md, "Bodies" and "Versions"). The codec
 * (proto/entry.c) walks them to encode, decode and check.
 */
#include "entry_internal.h"

const uint32_t cp__str_limit[] = {CP_ID_MAX, CP_STR_MAX, CP_TEXT_MAX, CP_DOC_MAX, CP_ORIGIN_MAX, 6};
const cp_text_class cp__str_class[] = {CP_TEXT_ID,  CP_TEXT_ANY,       CP_TEXT_ANY,
                                       CP_TEXT_ANY, CP_TEXT_NOTE_NAME, CP_TEXT_JURISDICTION};

#define OFF(m) ((uint16_t)offsetof(cp_entry, m))
#define STR(n, m, cls, ne) {n, K_STR, cls, ne, OFF(m), 0, 0, 0}
#define U8(n, m, lo, hi) {n, K_U8, 0, 0, OFF(m), 0, lo, hi}
#define H32(n, m) {n, K_H32, 0, 0, OFF(m), 0, 0, 0}

/* authority (seq 0 only):
 *   82   var+n  name          str, 1..CP_STR_MAX
 *   ..   var+n  jurisdiction  str, "CC" or "CC-" and 1..3 of A-Z0-9
 *   ..   1      role          1..5
 *   ..   var+n  origin        str, note key name, 1..CP_ORIGIN_MAX */
static const fld F_AUTHORITY[] = {
    STR("authority.name", u.authority.name, S_STR, 1),
    STR("authority.jurisdiction", u.authority.jurisdiction, S_JURIS, 1),
    U8("authority.role", u.authority.role, CP_ROLE_STATE, CP_ROLE_IHE),
    STR("authority.origin", u.authority.origin, S_ORIGIN, 1),
};
/* credential:
 *   82   var+n  id          str, id charset, 1..CP_ID_MAX
 *   ..   var+n  title       str, 1..CP_STR_MAX
 *   ..   var+n  competency  str, 1..CP_TEXT_MAX
 *   ..   var+n  evidence    str, 0..CP_TEXT_MAX
 *   ..   1      level       1..4
 *   ..   4      hours_x100  0..10,000,000
 *   ..   var    n_areas     0..CP_LIST_MAX, then n_areas strs 1..CP_STR_MAX
 *   ..   var    n_qa        0..CP_LIST_MAX, then n_qa strs 1..CP_STR_MAX */
static const fld F_CREDENTIAL[] = {
    STR("credential.id", u.credential.id, S_ID, 1),
    STR("credential.title", u.credential.title, S_STR, 1),
    STR("credential.competency", u.credential.competency, S_TEXT, 1),
    STR("credential.evidence", u.credential.evidence, S_TEXT, 0),
    U8("credential.level", u.credential.level, 1, 4),
    {"credential.hours_x100", K_U32, 0, 0, OFF(u.credential.hours_x100), 0, 0, HOURS_X100_MAX},
    {"credential.areas", K_LIST, S_STR, 1, OFF(u.credential.areas), OFF(u.credential.n_areas), 0,
     CP_LIST_MAX},
    {"credential.qa", K_LIST, S_STR, 1, OFF(u.credential.qa), OFF(u.credential.n_qa), 0,
     CP_LIST_MAX},
};
/* award:
 *   82   32     credential  entry ID of the definition
 *   114  32     educator    Ed25519 public key
 *   146  4      earned      date <= 9999-12-31
 *   150  var+n  assessor    str, 0..CP_STR_MAX
 *   ..   1      flags       only 0x01 (evidence) and 0x02 (licence)
 *   ..   32     evidence    only if flags & 0x01
 *   ..   32     licence     only if flags & 0x02 */
static const fld F_AWARD[] = {
    H32("award.credential", u.award.credential),
    H32("award.educator", u.award.educator),
    {"award.earned", K_DATE, 0, 0, OFF(u.award.earned), 0, 0, 0},
    STR("award.assessor", u.award.assessor, S_STR, 0),
    {"award.flags", K_FLAGS, 0, 0, OFF(u.award.flags), 0, 0,
     CP_AWARD_HAS_EVIDENCE | CP_AWARD_HAS_LICENCE},
    {"award.evidence", K_H32_OPT, 0, 0, OFF(u.award.evidence), OFF(u.award.flags),
     CP_AWARD_HAS_EVIDENCE, 0},
    {"award.licence", K_H32_OPT, 0, 0, OFF(u.award.licence), OFF(u.award.flags),
     CP_AWARD_HAS_LICENCE, 0},
};
/* revoke, version 1:
 *   82   32     award   entry ID of the award
 *   114  var+n  reason  str, 1..CP_STR_MAX */
static const fld F_REVOKE[] = {
    H32("revoke.award", u.revoke.target),
    STR("revoke.reason", u.revoke.reason, S_STR, 1),
};
/* revoke, version 2:
 *   82   32     target     entry ID of what is withdrawn (node rule R-body-03)
 *   114  4      effective  date <= 9999-12-31
 *   118  var+n  reason     str, 1..CP_STR_MAX */
static const fld F_REVOKE_2[] = {
    H32("revoke.target", u.revoke.target),
    {"revoke.effective", K_DATE, 0, 0, OFF(u.revoke.effective), 0, 0, 0},
    STR("revoke.reason", u.revoke.reason, S_STR, 1),
};
/* endorse, version 1:
 *   82   1      kind     1 authority, 2 credential
 *   83   32     subject  authority key or credential entry ID
 *   115  var+n  claim    str, 1..CP_STR_MAX
 *   ..   var+n  note     str, 0..CP_STR_MAX */
static const fld F_ENDORSE[] = {
    U8("endorse.kind", u.endorse.kind, CP_SUBJECT_AUTHORITY, CP_SUBJECT_CREDENTIAL),
    H32("endorse.subject", u.endorse.subject),
    STR("endorse.claim", u.endorse.claim, S_STR, 1),
    STR("endorse.note", u.endorse.note, S_STR, 0),
};
/* endorse, version 2 (dated):
 *   82   1      kind     1 authority, 2 credential
 *   83   32     subject  authority key or credential entry ID
 *   115  4      from     date <= 9999-12-31: first day covered
 *   119  4      until    0 (open) or from..9999-12-31: last day covered
 *   123  var+n  claim    str, 1..CP_STR_MAX
 *   ..   var+n  note     str, 0..CP_STR_MAX */
static const fld F_ENDORSE_2[] = {
    U8("endorse.kind", u.endorse.kind, CP_SUBJECT_AUTHORITY, CP_SUBJECT_CREDENTIAL),
    H32("endorse.subject", u.endorse.subject),
    {"endorse.from", K_DATE, 0, 0, OFF(u.endorse.from), 0, 0, 0},
    {"endorse.until", K_DATE, 0, 0, OFF(u.endorse.until), OFF(u.endorse.from), 1, 0},
    STR("endorse.claim", u.endorse.claim, S_STR, 1),
    STR("endorse.note", u.endorse.note, S_STR, 0),
};
/* approve (fixed size, 104 bytes of body):
 *   82   32  educator
 *   114  32  credential
 *   146  4   approved  date <= 9999-12-31
 *   150  4   expires   0 (none) or approved..9999-12-31
 *   154  32  plan */
static const fld F_APPROVE[] = {
    H32("approve.educator", u.approve.educator),
    H32("approve.credential", u.approve.credential),
    {"approve.approved", K_DATE, 0, 0, OFF(u.approve.approved), 0, 0, 0},
    {"approve.expires", K_DATE, 0, 0, OFF(u.approve.expires), OFF(u.approve.approved), 1, 0},
    H32("approve.plan", u.approve.plan),
};
/* policy:
 *   82   var+n  id        str, id charset, 1..CP_ID_MAX
 *   ..   var+n  document  str, 1..CP_DOC_MAX (JSON; parsed by node/, not here) */
static const fld F_POLICY[] = {
    STR("policy.id", u.policy.id, S_ID, 1),
    STR("policy.document", u.policy.document, S_DOC, 1),
};
/* recognition:
 *   82   32   policy       entry ID of the policy entry
 *   114  32   educator
 *   146  4    as_of        date <= 9999-12-31
 *   150  var  n_totals     1..CP_TOTALS_MAX, then n_totals of
 *                            var+n currency (str, 1..CP_STR_MAX), 8 amount (i64)
 *                          currencies strictly ascending in byte order
 *   ..   32   explanation */
#define RECOGNITION_V1_FIELDS                                                                      \
  H32("recognition.policy", u.recognition.policy),                                                 \
  H32("recognition.educator", u.recognition.educator),                                             \
  {"recognition.as_of", K_DATE, 0, 0, OFF(u.recognition.as_of), 0, 0, 0},                          \
  {"recognition.totals", K_TOTALS, S_STR, 1, OFF(u.recognition.totals),                            \
   OFF(u.recognition.n_totals), 1, CP_TOTALS_MAX},                                                 \
  H32("recognition.explanation", u.recognition.explanation)
static const fld F_RECOGNITION[] = {RECOGNITION_V1_FIELDS};
/* recognition, version 2: the version-1 body, then
 *   ..   var  n_facts      1..CP_FACT_LOGS_MAX, then n_facts of
 *                            32 log, 8 size (u64, >= 1), 32 root of the log at size
 *                          logs strictly ascending in byte order */
static const fld F_RECOGNITION_V2[] = {
    RECOGNITION_V1_FIELDS,
    {"recognition.facts", K_FACTS, 0, 1, OFF(u.recognition.facts), OFF(u.recognition.n_facts), 1,
     CP_FACT_LOGS_MAX},
};
/* key (fixed size, 33 bytes of body):
 *   82   1   action   1 rotate, 2 retire
 *   83   32  new_key  non-zero for rotate, all zero for retire */
static const fld F_KEY[] = {
    U8("key.action", u.key.action, CP_KEY_ROTATE, CP_KEY_RETIRE),
    {"key.new_key", K_H32_KEY, 0, 0, OFF(u.key.new_key), OFF(u.key.action), 0, 0},
};
/* clock (a correction of the log's clock, docs/FORMATS.md, "Entry times"):
 *   82   32     first   entry ID of the first entry whose time was ahead
 *   114  var+n  reason  str, 1..CP_STR_MAX */
static const fld F_CLOCK[] = {
    H32("clock.first", u.clock.first),
    STR("clock.reason", u.clock.reason, S_STR, 1),
};

/* licensure (version 2 only): an educator's licensure areas, attested
 *   82   32     educator  Ed25519 public key
 *   114  4      from      date <= 9999-12-31: first day covered
 *   118  4      until     0 (open) or from..9999-12-31: last day covered
 *   122  var    n_areas   1..CP_LIST_MAX, then n_areas strs 1..CP_STR_MAX */
static const fld F_LICENSURE[] = {
    H32("licensure.educator", u.licensure.educator),
    {"licensure.from", K_DATE, 0, 0, OFF(u.licensure.from), 0, 0, 0},
    {"licensure.until", K_DATE, 0, 0, OFF(u.licensure.until), OFF(u.licensure.from), 1, 0},
    {"licensure.areas", K_LIST, S_STR, 1, OFF(u.licensure.areas), OFF(u.licensure.n_areas), 1,
     CP_LIST_MAX},
};

#define BODY(n, t) {n, t, sizeof t / sizeof t[0]}
#define NOBODY(n) {n, NULL, 0}
/* SPEC: E-hdr-1. The version names the layout of the type's body: one table
 * per version, and a type a version does not list has no body in it (so
 * each entry has exactly one encoding). Names are the same in every
 * version. */
static const body BODIES[] = {
    {NULL, NULL, 0},
    BODY("authority", F_AUTHORITY),
    BODY("credential", F_CREDENTIAL),
    BODY("award", F_AWARD),
    BODY("revoke", F_REVOKE),
    BODY("endorse", F_ENDORSE),
    BODY("approve", F_APPROVE),
    BODY("policy", F_POLICY),
    BODY("recognition", F_RECOGNITION),
    BODY("key", F_KEY),
    BODY("clock", F_CLOCK),
    NOBODY("licensure"),
};
static const body BODIES_2[] = {
    {NULL, NULL, 0},     NOBODY("authority"),          NOBODY("credential"),
    NOBODY("award"),     BODY("revoke", F_REVOKE_2),   BODY("endorse", F_ENDORSE_2),
    NOBODY("approve"),   NOBODY("policy"),             BODY("recognition", F_RECOGNITION_V2),
    NOBODY("key"),       NOBODY("clock"),              BODY("licensure", F_LICENSURE),
};
_Static_assert(sizeof BODIES == sizeof BODIES_2, "one row per type in every version");
_Static_assert(sizeof BODIES / sizeof BODIES[0] - 1 == CP__ENTRY_TYPE_MAX, "one row per type");

const char *cp__entry_body_name(unsigned type) { return BODIES[type].name; }

const body *cp__entry_body(unsigned version, unsigned type) {
  const body *b = version == CP_ENTRY_VERSION_2 ? &BODIES_2[type] : &BODIES[type];
  return b->f != NULL ? b : NULL;
}

unsigned cp_entry_version_for(unsigned type) {
  if (type >= 1 && type <= CP__ENTRY_TYPE_MAX && BODIES_2[type].f != NULL) return CP_ENTRY_VERSION_2;
  return CP_ENTRY_VERSION;
}

