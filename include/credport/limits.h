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
#define CP_FACT_LOGS_MAX    512u          /* logs a version-2 recognition read facts from */
#define CP_ORIGIN_MAX       256u          /* a checkpoint origin / note key name */
#define CP_NOTE_MAX         (16u * 1024)  /* a signed note, all signatures included */
#define CP_NOTE_SIGS_MAX    64u           /* signature lines in one note */
#define CP_WITNESS_COSIGS_MAX 16u         /* cosignatures kept on a stored checkpoint */
#define CP_WITNESS_TRUST_MAX  64u         /* witness keys a node (or a trust file) trusts */
#define CP_TRUST_ISSUERS_MAX  256u        /* issuer keys in one trust file */
#define CP_TRUST_LINE_MAX     1024u       /* one line of a trust file */
#define CP_TRUST_FILE_MAX     (256u * 1024) /* a whole trust file */
#define CP_DURATION_MAX_S     (36500ull * 86400) /* --max-age and the like: 100 years */
#define CP_WITNESS_REFRESH_S  60u         /* a newer cosignature by a key replaces its held one
                                             only when at least this much newer */
#define CP_WITNESS_RECOSIGN_S 3600u       /* a witness cosigns the latest checkpoint of each
                                             log it witnesses again at least this often */
#define CP_WITNESS_RECOSIGN_BATCH 256u    /* logs one re-cosigning transaction takes at most */
#define CP_PROOF_HASHES_MAX 64u           /* hashes in one Merkle proof */
#define CP_TIME_SKEW_MAX    600u          /* seconds an entry may be ahead of now */
/* A partner's clock observation older than this (by the boot clock) is not
 * used by the signing guard: two free-running clocks drift apart by up to
 * about 9 s a day. */
#define CP_CLOCK_OBS_MAX_AGE (30u * 86400)
/* Entries one clock correction may cover: the run and its correction travel
 * in one sync batch (CP_SYNC_BATCH_MAX = 256 entries). */
#define CP_CLOCK_COVER_MAX  255u
/* Open Badges 3.0 credentials (jcs.h, ob3.h; docs/FORMATS.md). */
#define CP_JCS_DEPTH_MAX    32U           /* nesting canonicalised or read by verify-vc */
#define CP_JCS_MAX_BYTES    (1U << 20)    /* one canonical JSON text */
#define CP_OB3_ENDORSE_MAX  32U           /* endorsements named in one credential */
#define CP_OB3_TEXT_MAX     (256U * 1024) /* a credential file verify-vc reads */
#define CP_CSV_ROWS_MAX     (10u * 1000 * 1000)
#define CP_STAFF_LIST_MAX   (4u * 1000 * 1000) /* keys in a district staff list */

/* JOSE (crypto/jws.c) and the Bitstring Status List (proto/statuslist.c). */
#define CP_JWS_MAX           (16u << 20)  /* a compact JWS, text */
#define CP_JWS_HEADER_MAX    4096u        /* its decoded protected header */
#define CP_JWS_DEPTH_MAX     32u          /* nesting of arrays and objects in its JSON */
#define CP_STATUS_BITS_MIN   131072u      /* entries in a status list: 16 KiB, herd privacy */
#define CP_STATUS_BITS_MAX   (1u << 26)   /* entries a status list read from a file may hold */
#define CP_VP_CREDS_MAX      64u          /* credentials in one presentation */
#define CP_VP_STATUS_LISTS_MAX 16u        /* status lists one verify-vp reads */

/* Wallets and bundles (include/credport/bundle.h): the binary container,
 * its armour, and every count in it; a decoder checks each count against
 * the bytes left as well before it allocates. */
#define CP_BUNDLE_MAX          (8u << 20)   /* binary wallet or bundle */
#define CP_BUNDLE_ARMOR_MAX    (12u << 20)  /* its armour, input as read */
#define CP_BUNDLE_LOGS_MAX     64u          /* logs in one container */
#define CP_BUNDLE_ENTRIES_MAX  4096u        /* entries in one container, all logs */
#define CP_BUNDLE_CHALLENGE_MAX 256u        /* bytes of a bundle's challenge */
#define CP_BUNDLE_AUDIENCE_MAX  256u        /* bytes of a bundle's audience */

#define CP_FRAME_MAX_PREAUTH (16u * 1024)
#define CP_FRAME_MAX         (1u << 20)
#define CP_OUTQ_MAX          (8u << 20)   /* beyond: disconnect the peer */
#define CP_READS_PER_WAKE    32

/* Connections before their handshake (node/admission.c). The handshake
 * table holds CP_PREAUTH_MAX (node/daemon_internal.h); from
 * CP_PREAUTH_DROP_START on, a source already holding a handshake is refused
 * with probability CP_PREAUTH_DROP_RATE percent, rising to 100 at full
 * (OpenSSH's MaxStartups start:rate:full). A source is an IPv4 address or
 * an IPv6 /64. */
#define CP_PREAUTH_SOURCE_MAX   8u      /* handshakes one source may hold */
#define CP_CONN_SOURCE_MAX      32u     /* connections one source may hold */
#define CP_PREAUTH_DROP_START   16u
#define CP_PREAUTH_DROP_RATE    30u     /* percent */
#define CP_PREAUTH_DEADLINE_MS  5000u   /* an accepted handshake must finish */
#define CP_PREAUTH_KNOWN_MAX    8u      /* further handshakes kept for sources
                                           that authenticated before */
#define CP_PREAUTH_RATE         64u     /* strangers' handshakes begun a second */

/* Log lines a stranger or partner can cause (node/admission.c): per window,
 * at most so many written in full; the rest are counted and summed up when
 * the window ends: one line per source and event for partners and for the
 * CP_LOG_SUMMARY_SOURCES busiest strangers, one line for all other
 * strangers. */
#define CP_LOG_WINDOW_MS        10000u
#define CP_LOG_SOURCE_LINES     5u      /* per stranger source address */
#define CP_LOG_STRANGER_LINES   20u     /* all strangers together */
#define CP_LOG_PEER_LINES       60u     /* per authenticated partner */
#define CP_LOG_SUMMARY_SOURCES  10u     /* strangers' summaries; the rest in one */

#endif
