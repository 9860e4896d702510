/* SSH-family private key files (OpenSSH, PuTTY, Dropbear) for the keys
 * analyzer; see keys_ssh.c. */
#ifndef GB_ANALYZE_KEYS_SSH_H
#define GB_ANALYZE_KEYS_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/sys/span.h>

/* What the keys analyzer reports about one private key. */
struct gb_keyinfo {
	const char *type;     /* "rsa", "dsa", "ec", "ed25519"...; NULL = unknown */
	int bits;             /* 0 = unknown */
	const char *curve;    /* EC keys, else NULL */
	bool encrypted;
	const char *format;   /* "PEM PKCS#1", "OpenSSH", "PuTTY PPK v3"... (static string) */
	const char *label;    /* PEM label, or NULL */
	char fingerprint[80]; /* "" = none */
	char comment[128];
	bool binary;          /* a binary format: the evidence is an offset even in a "text" file */
};

/* A decoded "openssh-key-v1" blob. Unencrypted keys must be consistent
 * (check words, public == private, Ed25519 public derived from the seed, RSA
 * p*q == n); encrypted ones need kdf bcrypt and whole cipher blocks. Returns
 * true and *ret when it is a key. */
bool gb__openssh_key(const uint8_t *blob, size_t n, struct gb_keyinfo *ret);
/* A PuTTY PPK v2/v3 file whose "PuTTY-User-Key-File-" starts at `at` in d.
 * Unencrypted files must carry a valid Private-MAC. */
bool gb__putty_key(const struct gb_span *d, size_t at, struct gb_keyinfo *ret);
/* d is exactly one Dropbear private key (dropbear_*_host_key). */
bool gb__dropbear_key(const struct gb_span *d, struct gb_keyinfo *ret);
/* The Ed25519 public key derived from a 32-byte seed equals pub. */
bool gb__ed25519_seed_matches(const uint8_t *seed, const uint8_t *pub);
/* p * q == n (big-endian magnitudes). */
bool gb__rsa_pq_is_n(const uint8_t *n, size_t nl, const uint8_t *p, size_t pl, const uint8_t *q, size_t ql);

#endif
