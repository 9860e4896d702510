/* Shared helpers of the keys and certs analyzers: PEM blocks found in any
 * bytes (text or binary), a strict base64 decoder, SSH wire-format public
 * keys and their fingerprints. Everything reads untrusted bytes through
 * bounds checks and allocates nothing. */
#ifndef GB_ANALYZE_PEMUTIL_H
#define GB_ANALYZE_PEMUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/sys/span.h>

/* A PEM block: "-----BEGIN <label>-----" ... "-----END <label>-----". */
struct gb_pem {
	size_t begin;        /* offset of the first '-' of BEGIN */
	size_t end;          /* offset just past the END line's closing "-----" */
	size_t body;         /* first byte after the BEGIN line */
	size_t body_end;     /* offset of the END line's first '-' */
	size_t b64;          /* first byte of base64 (after RFC 1421 headers) */
	char label[65];
	bool proc_encrypted; /* "Proc-Type: 4,ENCRYPTED" header */
	char dek_info[96];   /* "DEK-Info:" value (cipher,iv hex) or "" */
};

/* Find the next complete PEM block whose BEGIN starts at or after `from`.
 * A BEGIN line without its matching END (a format string in a binary) is
 * skipped. Returns true and *ret, or false when there is none. */
bool gb__pem_next(const struct gb_span *d, size_t from, struct gb_pem *ret);

/* Decode base64 (whitespace ignored, '=' padding only at the end). Returns
 * the decoded length, or -1 when the text is not base64 or does not fit in cap. */
long gb__b64_decode(const uint8_t *p, size_t n, uint8_t *out, size_t cap);

/* 1-based line number of byte `off` (counts '\n' before it). */
uint64_t gb__line_of(const struct gb_span *d, size_t off);

/* True when a text line can be quoted as evidence: a text kind (text,
 * scripts, PEM files) whose first 64 KiB hold no NUL and few control bytes
 * (a PEM block inside binary data is classified "certificate" too). */
bool gb__is_text(const char *kind, const struct gb_span *d);

/* An SSH wire-format public key blob (RFC 4253 6.6, PROTOCOL.u2f). */
struct gb_sshpub {
	char alg[48];        /* "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256"... */
	const char *type;    /* "rsa", "dsa", "ec", "ed25519", "ed448" */
	int bits;
	const char *curve;   /* EC keys: "nistp256"...; else NULL */
	/* raw fields for cross-checks with a private part (point into the blob) */
	const uint8_t *n, *e, *pk;
	size_t n_len, e_len, pk_len;
};

/* Parse a public key blob; the whole blob must be consumed. Returns 0 or -1. */
int gb__sshpub_parse(const uint8_t *p, size_t n, struct gb_sshpub *ret);
/* "SHA256:<base64 without padding>" of the blob, as ssh-keygen -l prints it. */
void gb__ssh_fingerprint(const uint8_t *blob, size_t n, char out[64]);

/* SSH wire reader over a bounded buffer. */
struct gb_sshrd {
	const uint8_t *p;
	size_t n, off;
};
int gb__sshrd_u32(struct gb_sshrd *r, uint32_t *ret);
/* A length-prefixed string; *ret points into the buffer. */
int gb__sshrd_str(struct gb_sshrd *r, const uint8_t **ret, size_t *ret_len);
/* True when the string equals the C string s. */
bool gb__ssh_streq(const uint8_t *p, size_t n, const char *s);
/* Bit length of an SSH mpint / big-endian magnitude (leading zeros skipped). */
int gb__mpint_bits(const uint8_t *p, size_t n);

#endif
