/*
 * reader.h: streaming STIX input.
 *
 * Reads STIX objects one at a time from a bundle, a TAXII envelope, a JSON
 * array of objects, one object, or JSON Lines (any sequence of those), without
 * holding more than one object (and the read buffer) in memory. JSON is read
 * strictly: duplicate keys, invalid UTF-8 and NUL characters are errors.
 *
 * A tl_reader is not thread-safe; use one per thread.
 */
#ifndef TEARLINE_READER_H
#define TEARLINE_READER_H

#include "tearline/tearline.h"

#include <jansson.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_reader tl_reader;

typedef struct tl_reader_limits {
    size_t max_object_bytes;  /* largest single object; 0 = TL_READER_DEFAULT_OBJECT */
    uint64_t max_input_bytes; /* largest input; 0 = no limit */
    int max_depth;            /* deepest nesting inside an object; 0 = 64 */
} tl_reader_limits;

#define TL_READER_DEFAULT_OBJECT (8u << 20)

/* Where an object starts in its input. */
typedef struct tl_reader_pos {
    unsigned long line; /* 1-based */
    unsigned long col;  /* 1-based, in characters */
    uint64_t offset;    /* bytes from the start of the input */
} tl_reader_pos;

/*
 * Opens path for reading ("-" is standard input). name is used in messages;
 * limits may be NULL for the defaults. *out (OUT) is freed with
 * tl_reader_close(). Returns TL_EIO (message in *out's errmsg is not
 * available: the error text goes to errmsg[0..errcap) if given), TL_ENOMEM.
 */
TL_API tl_err tl_reader_open_file(const char *path, const tl_reader_limits *limits, tl_reader **out,
                                  char *errmsg, size_t errcap);

/* Reads from memory; data must outlive the reader. name is used in messages. */
TL_API tl_err tl_reader_open_mem(const char *name, const char *data, size_t len,
                                 const tl_reader_limits *limits, tl_reader **out);

/*
 * Returns the next object in *obj (OUT, a new reference; NULL at the end of
 * input) and its position in *pos (OUT, may be NULL).
 *
 * Errors: TL_EJSON for an element that is not valid JSON or not an object
 * (reading can go on with the next element unless tl_reader_failed() says
 * otherwise), TL_ELIMIT, TL_EIO, TL_ENOMEM. The message, "NAME:LINE:COL:
 * reason", is in tl_reader_errmsg().
 */
TL_API tl_err tl_reader_next(tl_reader *r, json_t **obj, tl_reader_pos *pos);

/* Nonzero once the reader cannot go on (a structural error, a limit, I/O). */
TL_API int tl_reader_failed(const tl_reader *r);

/*
 * Position of a property of the object last returned, given a path as
 * tl_stix_error.prop writes it ("valid_from", "external_references[0].url").
 * Falls back to the object's own position. Never fails.
 */
TL_API tl_reader_pos tl_reader_locate(const tl_reader *r, const char *path);

/* Bytes consumed so far. */
TL_API uint64_t tl_reader_offset(const tl_reader *r);

/* The message of the last failure; "" if none. */
TL_API const char *tl_reader_errmsg(const tl_reader *r);

/* Closes the input (unless it is standard input) and frees r. Accepts NULL. */
TL_API void tl_reader_close(tl_reader *r);

#ifdef __cplusplus
}
#endif
#endif
