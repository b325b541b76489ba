/*
 * credport — every limit in one place.
 *
 * Decoders check these before they allocate or copy anything. The wire
 * limits are stricter before a peer has authenticated.
 */
#ifndef CREDPORT_LIMITS_H
#define CREDPORT_LIMITS_H

#define CP_ENTRY_MAX        (64u * 1024)  /* one encoded entry, signature included */
#define CP_STR_MAX          1024u         /* a short text field (title, name, reason) */
#define CP_TEXT_MAX         8192u         /* a long text field (competency, evidence rules) */
#define CP_DOC_MAX          (48u * 1024)  /* a policy document */
#define CP_ID_MAX           128u          /* a credential or policy stable id */
#define CP_LIST_MAX         16u           /* items in one list field (areas, QA) */
#define CP_TOTALS_MAX       16u           /* currencies in one recognition entry */
#define CP_ORIGIN_MAX       256u          /* a checkpoint origin / note key name */
#define CP_NOTE_MAX         (16u * 1024)  /* a signed note, all signatures included */
#define CP_NOTE_SIGS_MAX    64u           /* signature lines in one note */
#define CP_PROOF_HASHES_MAX 64u           /* hashes in one Merkle proof */
#define CP_TIME_SKEW_MAX    600u          /* seconds an entry may be ahead of now */
/* A partner's clock observation older than this (by the boot clock) is not
 * used by the signing guard: two free-running clocks drift apart by up to
 * about 9 s a day. */
#define CP_CLOCK_OBS_MAX_AGE (30u * 86400)
/* Entries one clock correction may cover: the run and its correction travel
 * in one sync batch (CP_SYNC_BATCH_MAX = 256 entries). */
#define CP_CLOCK_COVER_MAX  255u
#define CP_CSV_ROWS_MAX     (10u * 1000 * 1000)

#define CP_FRAME_MAX_PREAUTH (16u * 1024)
#define CP_FRAME_MAX         (1u << 20)
#define CP_OUTQ_MAX          (8u << 20)   /* beyond: disconnect the peer */
#define CP_READS_PER_WAKE    32

#endif
