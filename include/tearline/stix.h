/*
 * stix.h: STIX 2.1 object validation and the fixed marking definitions.
 *
 * Thread-safe: every function here is reentrant and keeps no state.
 */
#ifndef TEARLINE_STIX_H
#define TEARLINE_STIX_H

#include "tearline/tearline.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tl_stix_kind {
    TL_STIX_SDO,  /* domain object, including custom ones with created/modified */
    TL_STIX_SRO,  /* relationship, sighting */
    TL_STIX_SCO,  /* cyber-observable, including custom ones without created */
    TL_STIX_META, /* marking-definition, extension-definition, language-content */
} tl_stix_kind;

/* Sortable version key; see tl_stix_info.version. */
#define TL_STIX_VERSION_MAX 64

/* What validation learned about an object; strings are borrowed from it. */
typedef struct tl_stix_info {
    const char *type;
    const char *id;
    tl_stix_kind kind;
    int custom;  /* the type is not one STIX 2.1 defines */
    int revoked; /* revoked: true */
    /*
     * The version key: `modified`, else `created`, else "" (an unversioned
     * SCO), in a form where lexicographic order is time order and equal
     * instants written with different precision compare equal.
     */
    char version[TL_STIX_VERSION_MAX];
    char created[TL_STIX_VERSION_MAX]; /* same form; "" if absent */
} tl_stix_info;

/* Where and why validation failed. */
typedef struct tl_stix_error {
    /* Property path: "valid_from", "external_references[0].url"; "" for the object. */
    char prop[160];
    /* "object indicator--…: 'valid_from' is not an RFC 3339 timestamp" */
    char msg[512];
} tl_stix_error;

/*
 * Validates one STIX 2.1 object against the standard: common and per-type
 * required properties, property types, `type--UUID` identifiers, RFC 3339
 * timestamps (millisecond or finer on created and modified), modified >=
 * created, confidence 0-100, references to identifiers of an allowed type,
 * granular-marking selectors that resolve, extensions (the tearline
 * provenance extension in full), the fixed TLP 1.0 / TLP 2.0 / PAP
 * definitions, and the naming rules for custom types and properties.
 *
 * obj: the object (not a bundle). info (OUT, may be NULL). err (OUT, may be
 * NULL): filled on failure. Returns TL_OK or TL_ESTIX.
 */
TL_API tl_err tl_stix_validate(const json_t *obj, tl_stix_info *info, tl_stix_error *err);

/*
 * Nonzero if a granular-marking selector ("description",
 * "external_references.[0].url") selects content that exists in obj.
 */
TL_API int tl_stix_selector_resolves(const json_t *obj, const char *selector);

/* Nonzero if t is a valid STIX type name: [a-z0-9-], 3-250 characters, no leading,
 * trailing or doubled '-'. */
TL_API int tl_stix_type_valid(const char *t);

/* Nonzero if id is a well-formed STIX identifier (type--UUID). */
TL_API int tl_stix_id_valid(const char *id);

/*
 * Looks up one of the marking definitions STIX and its common objects fix
 * by id: TLP 1.0 (family "tlp1", levels white, green, amber, red), TLP 2.0
 * ("tlp2": clear, green, amber, amber+strict, red) and PAP ("pap": clear,
 * white, green, amber, red). Returns 1 and sets *family and *level (OUT,
 * static strings) when known, 0 otherwise.
 */
TL_API int tl_stix_marking_lookup(const char *id, const char **family, const char **level);

#ifdef __cplusplus
}
#endif
#endif
